package auth

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

func TestPasswordRoundTrip(t *testing.T) {
	const pw = "correct horse battery staple"
	hash, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phc.MatchString(hash) {
		t.Errorf("hash %q is not the expected PHC string", hash)
	}
	if strings.Contains(hash, pw) {
		t.Error("hash contains the password")
	}
	tests := []struct {
		password string
		want     bool
	}{
		{pw, true},
		{"correct horse battery stapl", false},
		{"Correct horse battery staple", false},
		{pw + " ", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := CheckPassword(hash, tt.password); got != tt.want {
			t.Errorf("CheckPassword(hash, %q) = %v, want %v", tt.password, got, tt.want)
		}
	}
	// A fresh salt each time: the same password never hashes alike.
	again, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if again == hash {
		t.Error("two hashes of one password are equal; the salt is not random")
	}
	if !CheckPassword(again, pw) {
		t.Error("second hash does not verify")
	}
}

func TestHashPasswordLength(t *testing.T) {
	tests := []struct {
		password string
		ok       bool
	}{
		{"", false},
		{"1234567", false},
		{"12345678", true},
		{"ÿÿÿÿ", true}, // 8 bytes
	}
	for _, tt := range tests {
		hash, err := HashPassword(tt.password)
		if (err == nil) != tt.ok {
			t.Errorf("HashPassword(%q) error = %v, want ok=%v", tt.password, err, tt.ok)
		}
		if !tt.ok && hash != "" {
			t.Errorf("HashPassword(%q) returned hash %q with an error", tt.password, hash)
		}
	}
}

// A hash made with other parameters still verifies: they are read from it.
func TestCheckPasswordReadsParameters(t *testing.T) {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("s3cret-password"), salt, 1, 8*1024, 2, 16)
	hash := fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", 8*1024, 1, 2,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
	if !CheckPassword(hash, "s3cret-password") {
		t.Error("hash with t=1, m=8192, p=2, 16-byte key does not verify")
	}
	if CheckPassword(hash, "s3cret-passwore") {
		t.Error("wrong password verifies")
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	good, err := HashPassword("password1")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$")
	join := func(edit func(p []string)) string {
		p := append([]string(nil), parts...)
		edit(p)
		return strings.Join(p, "$")
	}
	salt := base64.RawStdEncoding.EncodeToString([]byte("0123456789abcdef"))
	tests := map[string]string{
		"empty":           "",
		"plain text":      "password1",
		"bcrypt":          "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":         join(func(p []string) { p[1] = "argon2i" }),
		"too few parts":   strings.Join(parts[:5], "$"),
		"too many parts":  good + "$extra",
		"bad parameters":  join(func(p []string) { p[3] = "m=lots,t=2,p=1" }),
		"no parameters":   join(func(p []string) { p[3] = "" }),
		"bad salt":        join(func(p []string) { p[4] = "not base64!" }),
		"bad key":         join(func(p []string) { p[5] = "@@@" }),
		"padded key":      join(func(p []string) { p[5] += "=" }),
		"other key":       join(func(p []string) { p[5] = base64.RawStdEncoding.EncodeToString(make([]byte, 32)) }),
		"no key":          join(func(p []string) { p[5] = "" }),
		"no salt and key": "$argon2id$v=19$m=19456,t=2,p=1$$",
		// argon2 panics on zero passes or zero lanes; a stored hash must
		// never crash a sign-in.
		"zero passes": "$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + parts[5],
		"zero lanes":  "$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + parts[5],
	}
	for name, hash := range tests {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("CheckPassword(%q) panicked: %v", hash, r)
				}
			}()
			if CheckPassword(hash, "password1") {
				t.Errorf("CheckPassword(%q, right password) = true for a malformed hash", hash)
			}
			if CheckPassword(hash, "") {
				t.Errorf("CheckPassword(%q, empty password) = true for a malformed hash", hash)
			}
		})
	}
}

func TestNewSecret(t *testing.T) {
	token := regexp.MustCompile(`^cairn_[A-Za-z0-9_-]{43}$`)
	seen := map[string]bool{}
	for range 200 {
		s := NewSecret(TokenPrefix)
		if !token.MatchString(s) {
			t.Fatalf("NewSecret(%q) = %q, want the prefix and 43 base64url characters", TokenPrefix, s)
		}
		if seen[s] {
			t.Fatalf("NewSecret gave %q twice", s)
		}
		seen[s] = true
	}
	if s := NewSecret(""); len(s) != 43 {
		t.Errorf("NewSecret(\"\") = %q, want 43 characters", s)
	}
	if s := NewSecret("sess_"); !strings.HasPrefix(s, "sess_") || len(s) != 48 {
		t.Errorf("NewSecret(\"sess_\") = %q", s)
	}
}

func TestHashSecret(t *testing.T) {
	tests := []struct{ in, want string }{
		// SHA-256 test vectors.
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	}
	for _, tt := range tests {
		if got := HashSecret(tt.in); got != tt.want {
			t.Errorf("HashSecret(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	s := NewSecret(TokenPrefix)
	if HashSecret(s) != HashSecret(s) {
		t.Error("HashSecret is not stable")
	}
	if HashSecret(s) == HashSecret(NewSecret(TokenPrefix)) {
		t.Error("two secrets hash alike")
	}
	if strings.Contains(HashSecret(s), strings.TrimPrefix(s, TokenPrefix)) {
		t.Error("the hash contains the secret")
	}
}
