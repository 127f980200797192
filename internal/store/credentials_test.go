package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
)

func TestTokens(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx, sys := f.ctx, directory.System

		tok, err := s.CreateToken(ctx, sys, f.ninaUser.ID, "  CI  ", "hash-ci", "cairn_abc")
		if err != nil {
			t.Fatal(err)
		}
		if tok.ID == 0 || tok.Name != "CI" || tok.Prefix != "cairn_abc" || !tok.CreatedAt.Equal(t0) || tok.LastUsedAt != nil {
			t.Errorf("token = %+v", tok)
		}
		if _, err := s.CreateToken(ctx, sys, f.ninaUser.ID, "Laptop", "hash-laptop", "cairn_def"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateToken(ctx, sys, f.aliceUser.ID, "Script", "hash-alice", "cairn_ghi"); err != nil {
			t.Fatal(err)
		}

		before := f.counts(t)
		refusals := []struct {
			name, tokName string
			user          int64
			kind          errs.Kind
			field         string
		}{
			{"no name", " ", f.ninaUser.ID, errs.KindInvalid, "name"},
			{"long name", strings.Repeat("n", 101), f.ninaUser.ID, errs.KindInvalid, "name"},
			{"unknown user", "x", 9999, errs.KindInvalid, "user"},
		}
		for _, tt := range refusals {
			_, err := s.CreateToken(ctx, sys, tt.user, tt.tokName, "hash-"+tt.name, "p")
			wantErr(t, tt.name, err, tt.kind, tt.field)
		}
		sameCounts(t, "refused tokens", before, f.counts(t))

		for _, tt := range []struct {
			hash string
			want int64
		}{{"hash-ci", f.ninaUser.ID}, {"hash-laptop", f.ninaUser.ID}, {"hash-alice", f.aliceUser.ID}} {
			u, err := s.TokenUser(ctx, tt.hash)
			if err != nil || u.ID != tt.want {
				t.Errorf("TokenUser(%s) = %d, %v; want %d", tt.hash, u.ID, err, tt.want)
			}
		}
		// Using a token notes when; the listing shows it.
		toks, err := s.Tokens(ctx, f.ninaUser.ID)
		if err != nil || len(toks) != 2 || toks[0].LastUsedAt == nil || !toks[0].LastUsedAt.Equal(t0) {
			t.Errorf("after use, Tokens = %+v, %v; want last_used_at %v", toks, err, t0)
		}
		for _, hash := range []string{"", "hash-unknown", "HASH-CI", "cairn_abc"} {
			_, err := s.TokenUser(ctx, hash)
			wantErr(t, "TokenUser("+hash+")", err, errs.KindUnauthorized, "")
		}

		list, err := s.Tokens(ctx, f.ninaUser.ID)
		if err != nil || len(list) != 2 || list[0].Name != "CI" || list[1].Name != "Laptop" {
			t.Errorf("Tokens(nina) = %+v, %v", list, err)
		}
		if list, _ := s.Tokens(ctx, f.daveUser.ID); list == nil || len(list) != 0 {
			t.Errorf("Tokens(dave) = %#v, want an empty list", list)
		}

		// Only the owner's own token can be revoked through their id.
		wantErr(t, "revoke another user's token", s.DeleteToken(ctx, sys, f.aliceUser.ID, tok.ID), errs.KindNotFound, "")
		if _, err := s.TokenUser(ctx, "hash-ci"); err != nil {
			t.Errorf("a refused revoke revoked the token: %v", err)
		}
		if err := s.DeleteToken(ctx, sys, f.ninaUser.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.TokenUser(ctx, "hash-ci")
		wantErr(t, "revoked token", err, errs.KindUnauthorized, "")
		if _, err := s.TokenUser(ctx, "hash-laptop"); err != nil {
			t.Errorf("revoking one token revoked another: %v", err)
		}
		wantErr(t, "revoke twice", s.DeleteToken(ctx, sys, f.ninaUser.ID, tok.ID), errs.KindNotFound, "")
		if list, _ := s.Tokens(ctx, f.ninaUser.ID); len(list) != 1 || list[0].Name != "Laptop" {
			t.Errorf("Tokens after revoke = %+v", list)
		}
	})
}

func TestSessions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := f.ctx
		if err := s.CreateSession(ctx, "sess-a", store.Session{UserID: f.aliceUser.ID, CSRFToken: "csrf-a", ExpiresAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateSession(ctx, "sess-b", store.Session{UserID: f.ninaUser.ID, CSRFToken: "csrf-b", ExpiresAt: t0.Add(3 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateSession(ctx, "sess-a", store.Session{UserID: f.bobUser.ID, CSRFToken: "x", ExpiresAt: t0.Add(time.Hour)}); err == nil {
			t.Error("a second session with the same id was accepted")
		}
		u, sess, err := s.SessionUser(ctx, "sess-a")
		if err != nil || u.ID != f.aliceUser.ID || sess.CSRFToken != "csrf-a" || sess.UserID != f.aliceUser.ID || !sess.ExpiresAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("SessionUser(sess-a) = %+v, %+v, %v", u, sess, err)
		}
		_, _, err = s.SessionUser(ctx, "sess-unknown")
		wantErr(t, "unknown session", err, errs.KindUnauthorized, "")

		// One hour later the first session has expired, the second not.
		f.clock.advance(time.Hour)
		_, _, err = s.SessionUser(ctx, "sess-a")
		wantErr(t, "expired session", err, errs.KindUnauthorized, "")
		if u, _, err := s.SessionUser(ctx, "sess-b"); err != nil || u.ID != f.ninaUser.ID {
			t.Errorf("SessionUser(sess-b) = %+v, %v", u, err)
		}
		// A new session sweeps the expired ones away.
		sessions := f.count(t, "sessions")
		f.clock.advance(time.Millisecond)
		if err := s.CreateSession(ctx, "sess-c", store.Session{UserID: f.bobUser.ID, CSRFToken: "csrf-c", ExpiresAt: f.clock.now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if n := f.count(t, "sessions"); n != sessions {
			t.Errorf("sessions = %d after a new one and a sweep, want %d", n, sessions)
		}

		// Signing out.
		if err := s.DeleteSession(ctx, "sess-b"); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.SessionUser(ctx, "sess-b")
		wantErr(t, "signed-out session", err, errs.KindUnauthorized, "")
		if _, _, err := s.SessionUser(ctx, "sess-c"); err != nil {
			t.Errorf("signing one session out ended another: %v", err)
		}
	})
}
