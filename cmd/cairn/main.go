// Command cairn is the Cairn service desk: one binary with the web UI, the
// API and the background workers, plus the commands that administer it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/config"
	"github.com/cairn-itsm/cairn/internal/demo"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/server"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/worker"
)

const usage = `cairn: the Cairn IT service desk

Usage:
  cairn serve [--addr :8080] [--db sqlite:./cairn-data/cairn.db] [--demo]
  cairn migrate [--db ...]
  cairn user add --email E --name N --role customer|agent|admin [--organization O] [--password P] [--db ...]
  cairn token create --email E [--name N] [--db ...]
  cairn version

Settings come from flags or the environment: CAIRN_ADDR, CAIRN_DB, CAIRN_LOG_LEVEL.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "cairn:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out *os.File) error {
	if len(args) == 0 {
		fmt.Fprint(out, usage)
		return errors.New("name a command")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], out)
	case "migrate":
		return migrate(ctx, args[1:], out)
	case "user":
		if len(args) < 2 || args[1] != "add" {
			return errors.New("usage: cairn user add --email E --name N --role R")
		}
		return userAdd(ctx, args[2:], out)
	case "token":
		if len(args) < 2 || args[1] != "create" {
			return errors.New("usage: cairn token create --email E")
		}
		return tokenCreate(ctx, args[2:], out)
	case "version", "--version", "-v":
		fmt.Fprintln(out, "cairn", version())
		return nil
	case "help", "--help", "-h":
		fmt.Fprint(out, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n\n%s", args[0], usage)
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// openStore opens and migrates the database and makes sure the built-in
// configuration (default SLAs) exists.
func openStore(ctx context.Context, dsn string) (*store.Store, error) {
	s, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	for _, step := range []func(context.Context) error{s.Migrate, s.EnsureDefaultSLAs} {
		if err := step(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

func serve(ctx context.Context, args []string, out *os.File) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg := config.Load(fs)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (env CAIRN_ADDR)")
	fs.BoolVar(&cfg.Demo, "demo", false, "load demo data once and print the demo logins")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel)
	s, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	if cfg.Demo {
		start := time.Now()
		sum, err := demo.Load(ctx, s, log)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		log.Info("demo data ready", slog.Any("summary", sum), slog.Duration("took", time.Since(start)))
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           server.Handler(s, log),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	url := "http://" + displayAddr(ln.Addr())
	fmt.Fprintf(out, "Cairn is running on %s (database %s)\n", url, redact(cfg.DB))
	if cfg.Demo {
		fmt.Fprintf(out, "Demo logins (password %q):\n", demo.Password)
		for _, l := range demo.Logins {
			fmt.Fprintf(out, "  %-8s %-20s %s\n", l.Role, l.Email, l.Note)
		}
	}
	log.Info("listening", slog.String("addr", ln.Addr().String()), slog.String("engine", string(s.Engine())))
	wctx, stopWorkers := context.WithCancel(ctx)
	workersDone := make(chan struct{})
	go func() {
		defer close(workersDone)
		worker.Run(wctx, log, worker.SLA(s, worker.Owner(), log), worker.Search(s, log), worker.Optimize(s))
	}()
	// The workers stop after the HTTP server, and before the store closes.
	defer func() { stopWorkers(); <-workersDone }()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight", slog.Duration("timeout", cfg.ShutdownTimeout))
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// redact hides a password in a database URL before it is printed.
func redact(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		if at := strings.Index(dsn[i+3:], "@"); at >= 0 {
			cred := dsn[i+3 : i+3+at]
			if user, _, ok := strings.Cut(cred, ":"); ok {
				return dsn[:i+3] + user + ":***" + dsn[i+3+at:]
			}
		}
	}
	return dsn
}

func migrate(ctx context.Context, args []string, out *os.File) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	cfg := config.Load(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	s, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintln(out, "database is up to date:", redact(cfg.DB))
	return nil
}

func userAdd(ctx context.Context, args []string, out *os.File) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	cfg := config.Load(fs)
	email := fs.String("email", "", "email address (required)")
	name := fs.String("name", "", "display name (required)")
	role := fs.String("role", "customer", "customer, agent or admin")
	org := fs.String("organization", "", "organization name (customers)")
	password := fs.String("password", "", "password for the web UI (or set CAIRN_PASSWORD)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *password == "" {
		*password = os.Getenv("CAIRN_PASSWORD")
	}
	s, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	nu := store.NewUser{Email: *email, Name: *name, Role: directory.Role(*role)}
	if *org != "" {
		o, err := s.OrganizationByName(ctx, *org)
		if err != nil {
			return err
		}
		nu.OrganizationID = o.ID
	}
	if *password != "" {
		if nu.PasswordHash, err = auth.HashPassword(*password); err != nil {
			return err
		}
	}
	u, err := s.CreateUser(ctx, directory.System, nu)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "created %s %s (id %d)\n", u.Role, u.Email, u.ID)
	return nil
}

func tokenCreate(ctx context.Context, args []string, out *os.File) error {
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	cfg := config.Load(fs)
	email := fs.String("email", "", "the user the token acts as (required)")
	name := fs.String("name", "cli", "a name to recognise the token by")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("token create: --email is required")
	}
	s, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	u, err := s.UserByEmail(ctx, *email)
	if err != nil {
		return err
	}
	secret := auth.NewSecret(auth.TokenPrefix)
	if _, err := s.CreateToken(ctx, directory.System, u.ID, *name, auth.HashSecret(secret), secret[:len(auth.TokenPrefix)+4]); err != nil {
		return err
	}
	fmt.Fprintln(out, secret)
	return nil
}
