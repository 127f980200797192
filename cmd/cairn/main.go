// Command cairn is the Cairn service desk: one binary with the web UI, the
// API and the background workers, plus the commands that administer it.
package main

import (
	"bufio"
	"context"
	"encoding/json"
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
	"github.com/cairn-itsm/cairn/internal/cmdb"
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
  cairn user deactivate|activate --email E [--db ...]
  cairn token create --email E [--name N] [--db ...]
  cairn import cmdb FILE [--dry-run] [--atomic] [--match hostname,serial_number] [--db ...]
  cairn backup FILE [--force] [--db ...]
  cairn restore FILE [--force] [-v] [--db ...]
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
		if len(args) >= 2 && (args[1] == "deactivate" || args[1] == "activate") {
			return userSetActive(ctx, args[1] == "activate", args[2:], out)
		}
		if len(args) < 2 || args[1] != "add" {
			return errors.New("usage: cairn user add --email E --name N --role R")
		}
		return userAdd(ctx, args[2:], out)
	case "token":
		if len(args) < 2 || args[1] != "create" {
			return errors.New("usage: cairn token create --email E")
		}
		return tokenCreate(ctx, args[2:], out)
	case "import":
		if len(args) < 2 || args[1] != "cmdb" {
			return errors.New("usage: cairn import cmdb FILE [--dry-run] [--atomic] [--match serial_number,hostname+type] [--as EMAIL] [--json] [--db ...]")
		}
		return importCMDB(ctx, args[2:], out)
	case "backup":
		return backup(ctx, args[1:], out)
	case "restore":
		return restore(ctx, args[1:], out)
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
	for _, step := range []func(context.Context) error{s.Migrate, s.EnsureDefaultSLAs, s.EnsureDefaultCITypes} {
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

// userSetActive deactivates or reactivates a user, as an admin can on the
// person's page; the last active admin cannot be deactivated.
func userSetActive(ctx context.Context, active bool, args []string, out *os.File) error {
	verb := map[bool]string{true: "activate", false: "deactivate"}[active]
	fs := flag.NewFlagSet("user "+verb, flag.ContinueOnError)
	cfg := config.Load(fs)
	email := fs.String("email", "", "the user's email address (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" {
		return fmt.Errorf("user %s: --email is required", verb)
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
	u, err = s.UpdateUser(ctx, directory.System, u.ID, store.UserPatch{Name: u.Name, Email: u.Email, Role: u.Role, OrganizationID: u.OrganizationID, Active: active})
	if err != nil {
		return err
	}
	if active {
		fmt.Fprintf(out, "activated %s %s (id %d)\n", u.Role, u.Email, u.ID)
	} else {
		fmt.Fprintf(out, "deactivated %s %s (id %d): sessions ended, API tokens refused\n", u.Role, u.Email, u.ID)
	}
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

// importCMDB reconciles the CMDB with a CSV or JSON file ("-": standard
// input) and prints what it did. Rows that fail are listed and make the
// command fail; with --atomic, one failed row means nothing is imported.
func importCMDB(ctx context.Context, args []string, out *os.File) error {
	fs := flag.NewFlagSet("import cmdb", flag.ContinueOnError)
	cfg := config.Load(fs)
	dryRun := fs.Bool("dry-run", false, "report what would change and write nothing")
	atomic := fs.Bool("atomic", false, "import every row or, if one fails, none")
	match := fs.String("match", "", "identification rules tried in order, such as serial_number,hostname+type (default name+type)")
	format := fs.String("format", "", "csv or json (default: from the file name, or its first byte)")
	as := fs.String("as", "", "the email of the admin the import is recorded as (default: Cairn itself)")
	asJSON := fs.Bool("json", false, "print the whole report as JSON")
	// The file may come before or after the flags.
	var file string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		if file != "" {
			return fmt.Errorf("import cmdb: one file at a time (got %q and %q)", file, fs.Arg(0))
		}
		file, args = fs.Arg(0), fs.Args()[1:]
	}
	if file == "" {
		return errors.New("import cmdb: name the file to import (- for standard input)")
	}
	rules, err := cmdb.ParseMatch(*match)
	if err != nil {
		return fmt.Errorf("import cmdb: --%w", err)
	}
	in := os.Stdin
	if file != "-" {
		if in, err = os.Open(file); err != nil {
			return fmt.Errorf("import cmdb: %w", err)
		}
		defer in.Close()
	}
	br := bufio.NewReader(in)
	if *format == "" {
		head, _ := br.Peek(512)
		*format = cmdb.DetectFormat("", file, head)
	}
	start := time.Now()
	recs, err := cmdb.ReadImport(br, *format)
	if err != nil {
		return fmt.Errorf("import cmdb: %s: %w", file, err)
	}
	s, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.EnsureDefaultCITypes(ctx); err != nil {
		return err
	}
	actor := directory.System
	if *as != "" {
		u, err := s.UserByEmail(ctx, *as)
		if err != nil {
			return fmt.Errorf("import cmdb: --as: %w", err)
		}
		if actor, err = s.Actor(ctx, u); err != nil {
			return err
		}
	}
	rep, err := s.ImportCIs(ctx, actor, recs, store.ImportOptions{Match: rules, DryRun: *dryRun, Atomic: *atomic})
	if err != nil {
		return fmt.Errorf("import cmdb: %w", err)
	}
	if *asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printImportReport(out, rep, time.Since(start))
	}
	if rep.Failed > 0 {
		if rep.Atomic && !rep.DryRun {
			return fmt.Errorf("import cmdb: %d of %d rows failed; nothing was imported", rep.Failed, len(rep.Rows))
		}
		return fmt.Errorf("import cmdb: %d of %d rows failed", rep.Failed, len(rep.Rows))
	}
	return nil
}

// printImportReport writes a report for people: the counts, then each row
// that was (or would be) created or updated with its changes, and each
// failed row with its error; the first 200 of them.
func printImportReport(out *os.File, rep cmdb.ImportReport, took time.Duration) {
	fmt.Fprintf(out, "%d rows, matched by %s, in %s: created %d, updated %d, unchanged %d, failed %d\n",
		len(rep.Rows), strings.Join(rep.Match, ", then "), took.Round(time.Millisecond), rep.Created, rep.Updated, rep.Unchanged, rep.Failed)
	switch {
	case rep.DryRun:
		fmt.Fprintln(out, "Dry run: nothing was written.")
	case !rep.Applied:
		fmt.Fprintln(out, "Nothing was written: the import is atomic and a row failed.")
	}
	shown := 0
	for _, r := range rep.Rows {
		if r.Action == cmdb.ImportUnchanged {
			continue
		}
		if shown++; shown > 200 {
			fmt.Fprintln(out, "… (use --json for every row)")
			break
		}
		switch r.Action {
		case cmdb.ImportFailed:
			field := ""
			if r.Error.Field != "" {
				field = r.Error.Field + ": "
			}
			fmt.Fprintf(out, "row %d %s: failed: %s%s\n", r.Row, r.Name, field, r.Error.Message)
		case cmdb.ImportCreated:
			var values []string
			for _, c := range r.Changes {
				if c.Field != "name" && c.Field != "type_id" {
					values = append(values, fmt.Sprintf("%s=%v", strings.TrimPrefix(c.Field, "attributes."), c.To))
				}
			}
			id := ""
			if r.CIID != 0 {
				id = fmt.Sprintf(" (CI %d)", r.CIID)
			}
			fmt.Fprintf(out, "row %d %s%s: created as %s: %s\n", r.Row, r.Name, id, r.Type, strings.Join(values, ", "))
		default:
			var changes []string
			for _, c := range r.Changes {
				changes = append(changes, fmt.Sprintf("%s %v → %v", c.Field, orDash(c.From), orDash(c.To)))
			}
			id := ""
			if r.CIID != 0 {
				id = fmt.Sprintf(" (CI %d)", r.CIID)
			}
			fmt.Fprintf(out, "row %d %s%s: %s: %s\n", r.Row, r.Name, id, r.Action, strings.Join(changes, "; "))
		}
	}
}

func orDash(v any) any {
	if v == nil || v == "" {
		return "–"
	}
	return v
}
