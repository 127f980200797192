package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/config"
	"github.com/cairn-itsm/cairn/internal/store"
)

// backup writes an online backup of the database to a file, while servers
// keep running on it.
func backup(ctx context.Context, args []string, out *os.File) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	cfg := config.Load(fs)
	force := fs.Bool("force", false, "replace FILE if it exists")
	file, err := parseFileArg(fs, args)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// Opening a SQLite path that does not exist would make an empty
	// database, and back that up.
	if path, ok := strings.CutPrefix(cfg.DB, "sqlite:"); ok {
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("backup: database %s: %w", path, err)
		}
	}
	s, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := s.Backup(ctx, file, store.BackupOptions{Force: *force})
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%w\nChoose another name, or add --force to replace the file", err)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(out, "Backed up %s to %s: %d tables, %d rows, %s in %s (schema at migration %d).\n",
		redact(cfg.DB), rep.File, len(rep.Tables), rep.Rows, megabytes(rep.Bytes), seconds(rep.Took), rep.Migration)
	return nil
}

// restore copies a backup into an empty database, or with --force into
// one that holds data, which it replaces.
func restore(ctx context.Context, args []string, out *os.File) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	cfg := config.Load(fs)
	force := fs.Bool("force", false, "replace everything in a database that holds data, even while a server uses it")
	verbose := fs.Bool("v", false, "print each table as it is restored")
	file, err := parseFileArg(fs, args)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	s, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(out, "Restoring %s into %s...\n", file, redact(cfg.DB))
	opts := store.RestoreOptions{Force: *force}
	if *verbose {
		opts.Progress = func(t store.TableRows) {
			fmt.Fprintf(out, "  %-28s %10d rows  %s\n", t.Table, t.Rows, seconds(t.Took))
		}
	}
	rep, err := s.Restore(ctx, file, opts)
	switch {
	case errors.Is(err, store.ErrNotEmpty):
		return fmt.Errorf("%w\nRestore into a new database, or add --force to replace everything in this one", err)
	case errors.Is(err, store.ErrInUse):
		return fmt.Errorf("%w\nStop the servers using it (or add --force to restore under them)", err)
	case err != nil:
		return err
	}
	from := "a Cairn SQLite database"
	if rep.Backup.Engine != "" {
		from = fmt.Sprintf("a backup of %s taken %s", rep.Backup.Engine, rep.Backup.CreatedAt.Local().Format("2006-01-02 15:04:05 MST"))
	}
	fmt.Fprintf(out, "Restored %s: %d tables, %d rows in %s; search index rebuilt for %d tickets in %s.\n",
		from, len(rep.Tables), rep.Rows, seconds(rep.Took), rep.Indexed, seconds(rep.Indexing))
	if rep.Migration != rep.MigratedTo {
		fmt.Fprintf(out, "The backup's schema was migrated from %d to %d.\n", rep.Migration, rep.MigratedTo)
	}
	if len(rep.Replaced) > 0 {
		var parts []string
		for _, t := range rep.Replaced {
			parts = append(parts, fmt.Sprintf("%d %s", t.Rows, t.Table))
		}
		fmt.Fprintf(out, "It replaced what the database held (%s).\n", strings.Join(parts, ", "))
	}
	return nil
}

// parseFileArg parses the flags and the one file they name, which may come
// before or after the flags.
func parseFileArg(fs *flag.FlagSet, args []string) (string, error) {
	var file string
	for {
		if err := fs.Parse(args); err != nil {
			return "", err
		}
		if fs.NArg() == 0 {
			break
		}
		if file != "" {
			return "", fmt.Errorf("one file at a time (got %q and %q)", file, fs.Arg(0))
		}
		file, args = fs.Arg(0), fs.Args()[1:]
	}
	if file == "" {
		return "", errors.New("name the backup file")
	}
	return file, nil
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

func seconds(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) }
