package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/change"
	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/demo"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/store/storetest"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// engineStores opens a fresh, migrated store of each engine the tests can
// use, by name.
func engineStores() []string {
	if os.Getenv(storetest.EnvPostgres) == "" {
		return []string{"sqlite"}
	}
	return []string{"sqlite", "postgres"}
}

func freshStore(t *testing.T, engine string) *store.Store {
	t.Helper()
	if engine == "postgres" {
		return storetest.Postgres(t)
	}
	return storetest.SQLite(t)
}

// desk is what the tests know of a desk loaded by loadDesk.
type desk struct {
	admin       directory.Actor
	agentEmail  string
	ticketKey   string // with comments, an attachment and SLA clocks
	attachment  []byte
	tokenSecret string
	ciID        int64 // a CI with attributes and relationships
	searchWord  string
}

// loadDesk fills a store as a desk in use would be: the demo IT department
// (tickets, comments, changes, problems, the CMDB...), the defaults a
// server installs, the SLA worker's clocks, the search index, and what the
// demo leaves out: an attachment, an API token, a browser session, practice
// settings, a freeze window on a service, the services an incident affects
// besides its own, a change's CIs, and a CI type whose parent came later.
func loadDesk(t *testing.T, s *store.Store) desk {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := demo.Load(ctx, s, nil)
	must(err)
	must(s.EnsureDefaultSLAs(ctx))
	must(s.EnsureDefaultCITypes(ctx))
	var d desk
	u, err := s.UserByEmail(ctx, demo.Logins[0].Email)
	must(err)
	d.admin, err = s.Actor(ctx, u)
	must(err)
	d.agentEmail = demo.Logins[1].Email
	agent, err := s.UserByEmail(ctx, d.agentEmail)
	must(err)

	slaTicks := func() {
		t.Helper()
		for {
			res, err := s.SLATick(ctx, "backup-test")
			must(err)
			if !res.More {
				return
			}
		}
	}
	slaTicks()
	page, err := s.Tickets(ctx, d.admin, store.TicketFilter{Types: []ticket.Type{ticket.TypeIncident}, Sort: "key", Ascending: true, Limit: 200})
	must(err)
	for _, tk := range page.Tickets {
		cs, err := s.Comments(ctx, d.admin, tk.Key)
		must(err)
		clocks, err := s.TicketSLAs(ctx, d.admin, tk.Key)
		must(err)
		if len(cs) >= 2 && len(clocks) > 0 {
			d.ticketKey = tk.Key
			break
		}
	}
	if d.ticketKey == "" {
		t.Fatal("no demo incident has two comments and SLA clocks")
	}
	// Bytes that are not text, to see them come back whole.
	d.attachment = []byte("\x89PNG\r\n\x1a\n\x00\x01\xfe\xff screenshot")
	_, err = s.AddAttachment(ctx, d.admin, d.ticketKey, "screen.png", "image/png", d.attachment)
	must(err)

	d.tokenSecret = auth.NewSecret(auth.TokenPrefix)
	_, err = s.CreateToken(ctx, directory.System, agent.ID, "backup test", auth.HashSecret(d.tokenSecret), d.tokenSecret[:len(auth.TokenPrefix)+4])
	must(err)
	must(s.CreateSession(ctx, auth.HashSecret("session-id"), store.Session{UserID: agent.ID, CSRFToken: "csrf", ExpiresAt: time.Now().Add(time.Hour)}))

	settings, err := s.IncidentSettings(ctx)
	must(err)
	settings.ReopenWindowDays = 9
	_, err = s.SetIncidentSettings(ctx, d.admin, settings)
	must(err)

	tk, err := s.Ticket(ctx, d.admin, d.ticketKey)
	must(err)
	if _, major, err := s.MajorIncident(ctx, d.admin, d.ticketKey); err != nil {
		t.Fatal(err)
	} else if !major {
		_, err = s.DeclareMajorIncident(ctx, d.admin, d.ticketKey, "Every office is affected")
		must(err)
	}
	_, err = s.PostCommunication(ctx, d.admin, d.ticketKey, ticket.AudienceCustomers, "We are on it; next update at noon.")
	must(err)
	services, err := s.Services(ctx, true)
	must(err)
	var other, svc string
	var otherID int64
	for _, sv := range services {
		if sv.ID != tk.ServiceID && other == "" {
			other, otherID = sv.Name, sv.ID
		}
		if sv.ID == tk.ServiceID {
			svc = sv.Name
		}
	}
	_, err = s.SetAffectedServices(ctx, d.admin, d.ticketKey, []string{svc, other})
	must(err)
	now := time.Now().UTC().Truncate(time.Millisecond)
	_, err = s.CreateFreezeWindow(ctx, d.admin, change.Freeze{Name: "Quarter close", Reason: "Finance closes the books",
		Start: now.Add(48 * time.Hour), End: now.Add(96 * time.Hour), ServiceIDs: []int64{otherID}})
	must(err)

	changes, err := s.Tickets(ctx, d.admin, store.TicketFilter{Types: []ticket.Type{ticket.TypeChange}, Limit: 50})
	must(err)
	planned := false
	for _, c := range changes.Tickets {
		cis, err := s.TicketCIs(ctx, d.admin, c.Key)
		must(err)
		if len(cis) > 0 {
			plan := "Restart the service in the maintenance window."
			if _, err := s.UpdateChange(ctx, d.admin, c.Key, store.ChangePatch{ImplementationPlan: &plan}); err == nil {
				planned = true
				break
			}
		}
	}
	if !planned {
		t.Fatal("no demo change with CIs could be planned")
	}

	// A type whose parent has a larger id: a restore in id order alone
	// would insert the child before its parent.
	child, err := s.CreateCIType(ctx, d.admin, cmdb.CIType{Key: "kiosk", Name: "Kiosk"})
	must(err)
	parent, err := s.CreateCIType(ctx, d.admin, cmdb.CIType{Key: "public_device", Name: "Public device"})
	must(err)
	child.ParentID = parent.ID
	_, err = s.UpdateCIType(ctx, d.admin, child)
	must(err)

	cis, err := s.CIs(ctx, store.CIFilter{Limit: 500})
	must(err)
	best := 0
	for _, ci := range cis.CIs {
		rels, err := s.Relationships(ctx, ci.ID)
		must(err)
		if len(rels) > best && len(ci.Attributes) > 0 {
			best, d.ciID = len(rels), ci.ID
		}
	}
	if best < 2 {
		t.Fatal("no demo CI has attributes and two relationships")
	}

	slaTicks()
	_, err = s.IndexSearch(ctx)
	must(err)
	d.searchWord = strings.Fields(tk.Summary)[0]
	return d
}

// TestBackupRestore backs up a desk in use on each engine and restores it
// into a new database of each engine, then checks that every table holds
// the same rows, and that the desk works: people log in, tokens act, the
// ticket shows its comments, attachment, history and SLA clocks, the CI its
// attributes, relationships and impact, search finds the ticket, and new
// records get new ids.
func TestBackupRestore(t *testing.T) {
	for _, from := range engineStores() {
		t.Run("from "+from, func(t *testing.T) {
			ctx := context.Background()
			src := freshStore(t, from)
			d := loadDesk(t, src)
			want, err := store.TableDigests(src)
			if err != nil {
				t.Fatal(err)
			}
			// Every table must hold rows, or the comparison below could not
			// tell a table the restore forgot.
			for name, td := range want {
				if td.Rows == 0 && !slices.Contains(store.NotCopied(), name) {
					t.Errorf("table %s is empty in the test desk: give it rows in loadDesk so that its restore is checked", name)
				}
			}

			file := filepath.Join(t.TempDir(), "desk.bak")
			rep, err := src.Backup(ctx, file, store.BackupOptions{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("backup of %s: %d tables, %d rows, %d bytes in %s", from, len(rep.Tables), rep.Rows, rep.Bytes, rep.Took)
			fi, err := os.Stat(file)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Bytes != fi.Size() || rep.Migration < 7 || rep.Engine != src.Engine() {
				t.Errorf("report says %d bytes, migration %d, engine %s; file has %d bytes", rep.Bytes, rep.Migration, rep.Engine, fi.Size())
			}
			if fi.Mode().Perm()&0o077 != 0 {
				t.Errorf("backup file mode %v: others may read password hashes", fi.Mode().Perm())
			}
			if leftovers, _ := filepath.Glob(file + ".tmp*"); len(leftovers) > 0 {
				t.Errorf("temporary files left: %v", leftovers)
			}
			inFile, err := store.FileDigests(file)
			if err != nil {
				t.Fatal(err)
			}
			var reported int64
			for _, tr := range rep.Tables {
				reported += tr.Rows
				if inFile[tr.Table].Rows != int(tr.Rows) {
					t.Errorf("report: %s has %d rows, the file %d", tr.Table, tr.Rows, inFile[tr.Table].Rows)
				}
			}
			if reported != rep.Rows {
				t.Errorf("report: tables add up to %d rows, total says %d", reported, rep.Rows)
			}
			compareDigests(t, "backup file", want, inFile, store.NotCopied()...)

			for _, to := range engineStores() {
				t.Run("to "+to, func(t *testing.T) {
					dst := freshStore(t, to)
					var progress []string
					rrep, err := dst.Restore(ctx, file, store.RestoreOptions{Progress: func(tr store.TableRows) { progress = append(progress, tr.Table) }})
					if err != nil {
						t.Fatal(err)
					}
					t.Logf("restore into %s: %d tables, %d rows, %d tickets indexed in %s", to, len(rrep.Tables), rrep.Rows, rrep.Indexed, rrep.Took)
					if rrep.Backup.Engine != src.Engine() || rrep.Backup.Format != store.BackupFormat || rrep.Migration != rep.Migration || rrep.Backup.CreatedAt.IsZero() {
						t.Errorf("restore read the manifest as %+v, migration %d", rrep.Backup, rrep.Migration)
					}
					if len(progress) != len(rrep.Tables) || rrep.Rows != rep.Rows {
						t.Errorf("restore copied %d rows in %d tables (%d reported as they went); the backup has %d",
							rrep.Rows, len(rrep.Tables), len(progress), rep.Rows)
					}
					// Referenced tables come before those that reference them.
					if slices.Index(progress, "users") > slices.Index(progress, "tickets") || slices.Index(progress, "tickets") > slices.Index(progress, "comments") {
						t.Errorf("tables copied in the order %v", progress)
					}
					got, err := store.TableDigests(dst)
					if err != nil {
						t.Fatal(err)
					}
					// search_position and cmdb_generation move on purpose;
					// checked below through search and impact.
					compareDigests(t, "restored", want, got, append(store.NotCopied(), "search_position", "cmdb_generation")...)
					checkDeskWorks(t, src, dst, d)
				})
			}
		})
	}
}

func compareDigests(t *testing.T, what string, want, got map[string]store.TableDigest, except ...string) {
	t.Helper()
	for name, w := range want {
		if slices.Contains(except, name) {
			continue
		}
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s: table %s is missing", what, name)
		case g.Rows != w.Rows:
			t.Errorf("%s: table %s has %d rows, want %d", what, name, g.Rows, w.Rows)
		case g.Digest != w.Digest:
			t.Errorf("%s: table %s has the same %d rows in number but not in content", what, name, w.Rows)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok && !slices.Contains(except, name) {
			t.Errorf("%s: table %s is not in the source", what, name)
		}
	}
}

// checkDeskWorks reads the same records through the store from the source
// and the restored database.
func checkDeskWorks(t *testing.T, src, dst *store.Store, d desk) {
	t.Helper()
	ctx := context.Background()
	// Both read running SLA clocks at one instant.
	now := time.Now()
	for _, s := range []*store.Store{src, dst} {
		s.SetClock(func() time.Time { return now })
		defer s.SetClock(time.Now)
	}
	same := func(what string, read func(s *store.Store) (any, error)) {
		t.Helper()
		w, err := read(src)
		if err != nil {
			t.Fatalf("%s from the source: %v", what, err)
		}
		g, err := read(dst)
		if err != nil {
			t.Fatalf("%s restored: %v", what, err)
		}
		if ws, gs := fmt.Sprintf("%+v", w), fmt.Sprintf("%+v", g); ws != gs {
			t.Errorf("%s differs:\nrestored %s\nsource   %s", what, gs, ws)
		}
	}
	same("ticket", func(s *store.Store) (any, error) { return s.Ticket(ctx, d.admin, d.ticketKey) })
	same("comments", func(s *store.Store) (any, error) { return s.Comments(ctx, d.admin, d.ticketKey) })
	same("history", func(s *store.Store) (any, error) { return s.History(ctx, d.admin, d.ticketKey) })
	same("attachments", func(s *store.Store) (any, error) { return s.Attachments(ctx, d.admin, d.ticketKey) })
	same("SLA clocks", func(s *store.Store) (any, error) { return s.TicketSLAs(ctx, d.admin, d.ticketKey) })
	same("affected services", func(s *store.Store) (any, error) { return s.AffectedServices(ctx, d.admin, d.ticketKey) })
	same("CI", func(s *store.Store) (any, error) { return s.CI(ctx, d.ciID) })
	same("relationships", func(s *store.Store) (any, error) { return s.Relationships(ctx, d.ciID) })
	same("impact", func(s *store.Store) (any, error) {
		return s.Impact(ctx, store.ImpactQuery{CIIDs: []int64{d.ciID}, Direction: cmdb.Upstream})
	})
	same("CI types", func(s *store.Store) (any, error) { return s.CITypes(ctx) })

	atts, err := dst.Attachments(ctx, d.admin, d.ticketKey)
	if err != nil || len(atts) != 1 {
		t.Fatalf("attachments: %v, %v", atts, err)
	}
	if _, data, err := dst.AttachmentContent(ctx, d.admin, d.ticketKey, atts[0].ID); err != nil || !bytes.Equal(data, d.attachment) {
		t.Errorf("attachment content %q, %v; want %q", data, err, d.attachment)
	}
	clocks, err := dst.TicketSLAs(ctx, d.admin, d.ticketKey)
	if err != nil || len(clocks) == 0 {
		t.Errorf("SLA clocks after restore: %v, %v", clocks, err)
	}
	if _, hash, err := dst.PasswordHash(ctx, d.agentEmail); err != nil || !auth.CheckPassword(hash, demo.Password) {
		t.Errorf("%s cannot log in after the restore: %v", d.agentEmail, err)
	}
	if u, err := dst.TokenUser(ctx, auth.HashSecret(d.tokenSecret)); err != nil || u.Email != d.agentEmail {
		t.Errorf("API token acts as %q, %v; want %s", u.Email, err, d.agentEmail)
	}
	page, err := dst.SearchTickets(ctx, d.admin, fmt.Sprintf("text ~ %q", d.searchWord), 200, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(page.Tickets, func(tk ticket.Ticket) bool { return tk.Key == d.ticketKey }) {
		t.Errorf("search for %q after the restore does not find %s (%d found)", d.searchWord, d.ticketKey, page.Total)
	}
	if n, err := dst.IndexSearch(ctx); err != nil || n != 0 {
		t.Errorf("the search indexer found %d tickets to index after the restore (%v); want it caught up", n, err)
	}

	// New records get new ids (PostgreSQL's identity sequences follow).
	before, err := src.Tickets(ctx, d.admin, store.TicketFilter{Sort: "key", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	tk, err := dst.CreateTicket(ctx, d.admin, store.NewTicket{Type: "incident", Service: mustTicket(t, dst, d).Service, Summary: "After the restore"})
	if err != nil {
		t.Fatalf("create a ticket after the restore: %v", err)
	}
	if tk.ID <= before.Tickets[0].ID {
		t.Errorf("new ticket id %d, not past the restored %d", tk.ID, before.Tickets[0].ID)
	}
	if _, err := dst.AddComment(ctx, d.admin, tk.Key, "First comment after the restore", false); err != nil {
		t.Errorf("comment after the restore: %v", err)
	}
}

func mustTicket(t *testing.T, s *store.Store, d desk) ticket.Ticket {
	t.Helper()
	tk, err := s.Ticket(context.Background(), d.admin, d.ticketKey)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// TestRestoreRefuses checks that a restore leaves alone a database that
// holds data or that a server uses, unless forced, and then replaces
// everything in it; and that it refuses files it cannot restore.
func TestRestoreRefuses(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := storetest.NewFixture(t, s)
		storetest.Fill(t, s, f, 30)
		file := filepath.Join(t.TempDir(), "fixture.bak")
		if _, err := s.Backup(ctx, file, store.BackupOptions{}); err != nil {
			t.Fatal(err)
		}
		want, err := store.TableDigests(s)
		if err != nil {
			t.Fatal(err)
		}

		// A desk with other data.
		other := freshStore(t, string(s.Engine()))
		of := storetest.NewFixture(t, other)
		storetest.Fill(t, other, of, 5)
		before, err := store.TableDigests(other)
		if err != nil {
			t.Fatal(err)
		}
		_, err = other.Restore(ctx, file, store.RestoreOptions{})
		if !errors.Is(err, store.ErrNotEmpty) || !strings.Contains(err.Error(), "5 tickets") || !strings.Contains(err.Error(), "users") {
			t.Fatalf("restore into a desk with data: %v; want ErrNotEmpty naming what it holds", err)
		}
		after, err := store.TableDigests(other)
		if err != nil {
			t.Fatal(err)
		}
		compareDigests(t, "refused restore", before, after)

		rep, err := other.Restore(ctx, file, store.RestoreOptions{Force: true})
		if err != nil {
			t.Fatalf("forced restore: %v", err)
		}
		if !slices.ContainsFunc(rep.Replaced, func(tr store.TableRows) bool { return tr.Table == "tickets" && tr.Rows == 5 }) {
			t.Errorf("forced restore reports replacing %v", rep.Replaced)
		}
		got, err := store.TableDigests(other)
		if err != nil {
			t.Fatal(err)
		}
		compareDigests(t, "forced restore", want, got, append(store.NotCopied(), "search_position", "cmdb_generation")...)

		// An empty database a server runs on.
		busy := freshStore(t, string(s.Engine()))
		if ok, err := busy.TakeLease(ctx, "sla", "host-1:4242", time.Minute); err != nil || !ok {
			t.Fatal(ok, err)
		}
		if _, err := busy.Restore(ctx, file, store.RestoreOptions{}); !errors.Is(err, store.ErrInUse) || !strings.Contains(err.Error(), "host-1:4242") {
			t.Errorf("restore under a running server: %v; want ErrInUse naming the holder", err)
		}

		// A backup whose rows do not hold together: a reporter is gone.
		broken := filepath.Join(t.TempDir(), "broken.bak")
		if _, err := s.Backup(ctx, broken, store.BackupOptions{}); err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("sqlite", broken)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`DELETE FROM users WHERE id = (SELECT reporter_id FROM tickets ORDER BY id LIMIT 1)`); err != nil {
			t.Fatal(err)
		}
		db.Close()
		empty := freshStore(t, string(s.Engine()))
		before, err = store.TableDigests(empty)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := empty.Restore(ctx, broken, store.RestoreOptions{}); err == nil || !strings.Contains(err.Error(), "foreign key") && !strings.Contains(err.Error(), "do not hold together") {
			t.Errorf("restore of a backup with a ticket whose reporter is gone: %v; want a refusal", err)
		}
		after, err = store.TableDigests(empty)
		if err != nil {
			t.Fatal(err)
		}
		compareDigests(t, "failed restore", before, after)

		// Files that are no backup.
		dir := t.TempDir()
		text := filepath.Join(dir, "notes.txt")
		os.WriteFile(text, []byte("not a database at all, just some text that is long enough to fill a header"), 0o600)
		for _, c := range []struct{ file, want string }{
			{filepath.Join(dir, "missing.bak"), "no such file"},
			{text, "not a Cairn backup"},
			{dir, "is a directory"},
		} {
			if _, err := busy.Restore(ctx, c.file, store.RestoreOptions{Force: true}); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("restore %s: %v; want an error saying %q", filepath.Base(c.file), err, c.want)
			}
		}
	})
}

// TestRestoreVersions restores a backup of an older schema (migrated on
// the way, the file untouched) and refuses one newer than the binary.
func TestRestoreVersions(t *testing.T) {
	ctx := context.Background()
	old, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "old.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if err := store.MigrateTo(old, 6); err != nil {
		t.Fatal(err)
	}
	if _, err := old.CreateOrganization(ctx, directory.System, "Old Corp"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "old.bak")
	rep, err := old.Backup(ctx, file, store.BackupOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Migration != 6 {
		t.Fatalf("backup of a database at migration 6 says %d", rep.Migration)
	}
	inFile, err := store.FileDigests(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range engineStores() {
		t.Run("to "+to, func(t *testing.T) {
			dst := freshStore(t, to)
			rrep, err := dst.Restore(ctx, file, store.RestoreOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if rrep.Migration != 6 || rrep.MigratedTo <= 6 {
				t.Errorf("restore reports migration %d to %d", rrep.Migration, rrep.MigratedTo)
			}
			if _, err := dst.OrganizationByName(ctx, "Old Corp"); err != nil {
				t.Errorf("the old backup's organization: %v", err)
			}
			// The queues of migration 7 are there.
			if n, err := store.CountRows(dst, "queues"); err != nil || n == 0 {
				t.Errorf("queues after migrating the old backup: %d, %v", n, err)
			}
		})
	}
	after, err := store.FileDigests(file)
	if err != nil {
		t.Fatal(err)
	}
	compareDigests(t, "old backup after restores", inFile, after)

	// A backup from a newer cairn.
	newer := filepath.Join(t.TempDir(), "newer.bak")
	if _, err := storetest.SQLite(t).Backup(ctx, newer, store.BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (999, 1)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := storetest.SQLite(t).Restore(ctx, newer, store.RestoreOptions{}); err == nil || !strings.Contains(err.Error(), "migration 999") {
		t.Errorf("restore of a newer backup: %v; want a refusal naming its migration", err)
	}
}

// TestRestoreUnmigrated restores into a database nothing has run on yet.
func TestRestoreUnmigrated(t *testing.T) {
	ctx := context.Background()
	src := storetest.SQLite(t)
	f := storetest.NewFixture(t, src)
	storetest.Fill(t, src, f, 10)
	file := filepath.Join(t.TempDir(), "desk.bak")
	if _, err := src.Backup(ctx, file, store.BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	dst, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "new.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if _, err := dst.Restore(ctx, file, store.RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	if n, err := store.CountRows(dst, "tickets"); err != nil || n != 10 {
		t.Errorf("tickets restored: %d, %v", n, err)
	}
}

// TestBackupFile checks how a backup treats the file it writes: never over
// another unasked, never over the database, and the result is whole.
func TestBackupFile(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := storetest.NewFixture(t, s)
		storetest.Fill(t, s, f, 3)
		file := filepath.Join(t.TempDir(), "desk.bak")
		os.WriteFile(file, []byte("yesterday's backup"), 0o600)
		if _, err := s.Backup(ctx, file, store.BackupOptions{}); !errors.Is(err, os.ErrExist) {
			t.Errorf("backup over an existing file: %v; want a refusal", err)
		}
		if b, _ := os.ReadFile(file); string(b) != "yesterday's backup" {
			t.Errorf("the refused backup changed the file")
		}
		if _, err := s.Backup(ctx, file, store.BackupOptions{Force: true}); err != nil {
			t.Fatalf("forced backup: %v", err)
		}
		if d, err := store.FileDigests(file); err != nil || d["tickets"].Rows != 3 {
			t.Errorf("forced backup holds %d tickets, %v", d["tickets"].Rows, err)
		}
		if _, err := s.Backup(ctx, t.TempDir(), store.BackupOptions{Force: true}); err == nil || !strings.Contains(err.Error(), "directory") {
			t.Errorf("backup onto a directory: %v", err)
		}
		if s.Engine() == store.SQLite {
			if _, err := s.Backup(ctx, store.DatabaseFile(t, s), store.BackupOptions{Force: true}); err == nil || !strings.Contains(err.Error(), "database itself") {
				t.Errorf("backup onto the database: %v; want a refusal", err)
			}
		}
	})
}

// TestBackupWhileWriting takes a backup while agents raise tickets: the
// backup holds each ticket with its events or neither.
func TestBackupWhileWriting(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := storetest.NewFixture(t, s)
		storetest.Fill(t, s, f, 200)
		var created atomic.Int64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		errc := make(chan error, 4)
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					tk, err := s.CreateTicket(ctx, f.Customers[w], store.NewTicket{Type: "incident", Service: f.Services[w%2].Name, Summary: fmt.Sprintf("Written during the backup %d/%d", w, i)})
					if err == nil {
						_, err = s.AddComment(ctx, f.Agents[w%2], tk.Key, "Looking at it", false)
					}
					if err != nil {
						errc <- err
						return
					}
					created.Add(1)
				}
			}()
		}
		for created.Load() < 20 {
			time.Sleep(5 * time.Millisecond)
		}
		file := filepath.Join(t.TempDir(), "busy.bak")
		_, err := s.Backup(ctx, file, store.BackupOptions{})
		atBackup := created.Load()
		for created.Load() < atBackup+20 {
			time.Sleep(5 * time.Millisecond)
		}
		close(stop)
		wg.Wait()
		close(errc)
		if err != nil {
			t.Fatal(err)
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("sqlite", file+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var tickets, createdEvents, comments, commentEvents, nextNumber int
		for q, dest := range map[string]*int{
			`SELECT count(*) FROM tickets`: &tickets,
			`SELECT count(*) FROM events WHERE stream = 'ticket' AND type = 'ticket.created'`: &createdEvents,
			`SELECT count(*) FROM comments`: &comments,
			`SELECT count(*) FROM events WHERE stream = 'ticket' AND type = 'ticket.commented'`: &commentEvents,
			`SELECT next_number FROM desks`: &nextNumber,
		} {
			if err := db.QueryRow(q).Scan(dest); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("%d tickets written during the test, the backup holds %d", created.Load(), tickets-200)
		if tickets <= 200 || tickets >= 200+int(created.Load()) {
			t.Errorf("backup holds %d tickets: not taken while writes went on (%d written)", tickets, created.Load())
		}
		if tickets != createdEvents || comments != commentEvents || nextNumber != tickets+1 {
			t.Errorf("backup holds %d tickets and %d ticket.created events, %d comments and %d comment events, next number %d",
				tickets, createdEvents, comments, commentEvents, nextNumber)
		}
	})
}

// TestRestoreForwardReferences restores a table whose rows reference rows
// of the same table that come later, in more rows than one INSERT takes.
func TestRestoreForwardReferences(t *testing.T) {
	ctx := context.Background()
	src := storetest.SQLite(t)
	var types []cmdb.CIType
	for i := range 250 {
		ct, err := src.CreateCIType(ctx, directory.System, cmdb.CIType{Key: fmt.Sprintf("kind_%03d", i), Name: fmt.Sprintf("Kind %03d", i)})
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, ct)
	}
	// Each type's parent is the next one.
	for i := len(types) - 2; i >= 0; i-- {
		types[i].ParentID = types[i+1].ID
		if _, err := src.UpdateCIType(ctx, directory.System, types[i]); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(t.TempDir(), "types.bak")
	if _, err := src.Backup(ctx, file, store.BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	want, err := store.TableDigests(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range engineStores() {
		t.Run("to "+to, func(t *testing.T) {
			dst := freshStore(t, to)
			if _, err := dst.Restore(ctx, file, store.RestoreOptions{}); err != nil {
				t.Fatal(err)
			}
			got, err := store.TableDigests(dst)
			if err != nil {
				t.Fatal(err)
			}
			if got["ci_types"] != want["ci_types"] {
				t.Errorf("ci_types restored as %+v, want %+v", got["ci_types"], want["ci_types"])
			}
		})
	}
}
