package cql

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokenKind int

const (
	tokEOF    tokenKind = iota
	tokWord             // bare word: a field, keyword, function name or value
	tokString           // quoted text, escapes decoded
	tokOp               // = != < <= > >= ~ !~
	tokLParen
	tokRParen
	tokComma
)

type token struct {
	kind tokenKind
	text string
	pos  Pos
}

// describe names a token in an error message.
func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "the end of the query"
	case tokString:
		return fmt.Sprintf("%q", t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

// delimiters end a bare word. A quote inside a word ("Won't") is part of it;
// only at the start of a token does it open a string.
const delimiters = "(),=!<>~\""

// lex splits the query into tokens. It refuses what no engine would store
// safely: invalid UTF-8 and control characters (PostgreSQL rejects NUL).
func lex(src string) ([]token, error) {
	if len(src) > MaxLength {
		return nil, errorAt(Pos{Line: 1, Column: 1}, "the query is longer than %d bytes", MaxLength)
	}
	var toks []token
	line, col := 1, 1
	i := 0
	pos := func() Pos { return Pos{Line: line, Column: col, Offset: i} }
	advance := func(r rune, size int) {
		i += size
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	for i < len(src) {
		r, size := utf8.DecodeRuneInString(src[i:])
		if r == utf8.RuneError && size == 1 {
			return nil, errorAt(pos(), "the query is not valid UTF-8")
		}
		if r != '\t' && r != '\n' && r != '\r' && (unicode.IsControl(r) || r == 0xFEFF) {
			return nil, errorAt(pos(), "unexpected control character %U", r)
		}
		start := pos()
		switch {
		case unicode.IsSpace(r):
			advance(r, size)
		case r == '(':
			toks = append(toks, token{tokLParen, "(", start})
			advance(r, size)
		case r == ')':
			toks = append(toks, token{tokRParen, ")", start})
			advance(r, size)
		case r == ',':
			toks = append(toks, token{tokComma, ",", start})
			advance(r, size)
		case r == '=' || r == '~':
			toks = append(toks, token{tokOp, string(r), start})
			advance(r, size)
		case r == '<' || r == '>' || r == '!':
			op := string(r)
			advance(r, size)
			if i < len(src) && (src[i] == '=' || (r == '!' && src[i] == '~')) {
				op += src[i : i+1]
				advance(rune(src[i]), 1)
			}
			if op == "!" {
				return nil, errorAt(start, "unexpected \"!\": write != or !~, or NOT")
			}
			toks = append(toks, token{tokOp, op, start})
		case r == '"' || r == '\'':
			quote := r
			advance(r, size)
			var b strings.Builder
			closed := false
			for i < len(src) {
				c, n := utf8.DecodeRuneInString(src[i:])
				if c == utf8.RuneError && n == 1 {
					return nil, errorAt(pos(), "the query is not valid UTF-8")
				}
				if c != '\t' && c != '\n' && c != '\r' && (unicode.IsControl(c) || c == 0xFEFF) {
					return nil, errorAt(pos(), "unexpected control character %U", c)
				}
				if c == quote {
					advance(c, n)
					closed = true
					break
				}
				if c == '\\' && i+1 < len(src) && (src[i+1] == byte(quote) || src[i+1] == '\\') {
					b.WriteByte(src[i+1])
					advance(c, n)
					advance(rune(src[i]), 1)
					continue
				}
				b.WriteRune(c)
				advance(c, n)
			}
			if !closed {
				return nil, errorAt(start, "the text that starts here has no closing %c", quote)
			}
			toks = append(toks, token{tokString, b.String(), start})
		default:
			begin := i
			for i < len(src) {
				c, n := utf8.DecodeRuneInString(src[i:])
				if unicode.IsSpace(c) || strings.ContainsRune(delimiters, c) || unicode.IsControl(c) || (c == utf8.RuneError && n == 1) || c == 0xFEFF {
					break
				}
				advance(c, n)
			}
			toks = append(toks, token{tokWord, src[begin:i], start})
		}
	}
	toks = append(toks, token{tokEOF, "", pos()})
	return toks, nil
}
