package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/auth"
)

// userRun runs a cairn command line and gives what it printed.
func userRun(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	runErr := run(context.Background(), args, out)
	b, err := os.ReadFile(out.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(b), runErr
}

// TestUserDeactivate deactivates and reactivates people from the shell; the
// last admin stays.
func TestUserDeactivate(t *testing.T) {
	t.Setenv("CAIRN_DB", "")
	db := "sqlite:" + filepath.Join(t.TempDir(), "cairn.db")
	for _, args := range [][]string{
		{"user", "add", "--db", db, "--email", "ada@corp.example", "--name", "Ada", "--role", "admin"},
		{"user", "add", "--db", db, "--email", "ben@corp.example", "--name", "Ben", "--role", "agent"},
	} {
		if _, err := userRun(t, args...); err != nil {
			t.Fatal(err)
		}
	}
	token := func() string {
		t.Helper()
		out, err := userRun(t, "token", "create", "--db", db, "--email", "ben@corp.example")
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(out)
	}
	secret := token()
	// tokenWorks opens the database the way the server does and checks Ben's token.
	tokenWorks := func() bool {
		t.Helper()
		s, err := openStore(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		_, err = s.TokenUser(context.Background(), auth.HashSecret(secret))
		return err == nil
	}
	if !tokenWorks() {
		t.Fatal("Ben's new token does not work")
	}

	out, err := userRun(t, "user", "deactivate", "--db", db, "--email", "BEN@corp.example")
	if err != nil || !strings.Contains(out, "deactivated agent ben@corp.example") {
		t.Fatalf("deactivate: %q, %v", out, err)
	}
	if tokenWorks() {
		t.Error("a deactivated user's token still works")
	}
	if out, err := userRun(t, "user", "activate", "--email", "ben@corp.example", "--db", db); err != nil || !strings.Contains(out, "activated agent ben@corp.example") {
		t.Fatalf("activate: %q, %v", out, err)
	}
	if !tokenWorks() {
		t.Error("a reactivated user's token does not work")
	}

	_, err = userRun(t, "user", "deactivate", "--db", db, "--email", "ada@corp.example")
	if err == nil || !strings.Contains(err.Error(), "last active admin") {
		t.Errorf("deactivate the last admin: %v", err)
	}
	for _, args := range [][]string{
		{"user", "deactivate", "--db", db},
		{"user", "activate", "--db", db, "--email", "nobody@corp.example"},
	} {
		if _, err := userRun(t, args...); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
}
