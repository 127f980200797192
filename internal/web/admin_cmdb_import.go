package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
)

// The import page takes a file, reconciles it with the CMDB as a dry run
// (by default) and shows the report. To import what was just checked
// without sending it again, the file stays in this process's memory for a
// while, keyed by a random id and tied to the admin who sent it. A hidden
// form field could not carry it: files go up to 10 MiB and plain form posts
// to 1 MiB. Several processes behind one address may not share the upload;
// then the admin is told to send the file again, which is safe because an
// import of the same file changes nothing twice.
const (
	maxImportUpload  = 10 << 20 // bytes one upload takes; page() admits 11 MiB of form
	importUploadTTL  = 30 * time.Minute
	importUploadsMax = 64 << 20 // bytes held for all admins together; the oldest go first
	maxReportRows    = 200      // rows of changes, and of errors, a report shows
)

// importUpload is a checked file waiting to be imported.
type importUpload struct {
	id      string
	userID  int64
	name    string
	format  string
	match   string
	atomic  bool
	data    []byte
	expires time.Time
}

// importUploads holds the checked files: one per admin (a new dry run
// replaces the last), for a limited time and up to a total size.
type importUploads struct {
	mu   sync.Mutex
	ttl  time.Duration
	max  int
	held []*importUpload // oldest first
}

func newImportUploads(ttl time.Duration, max int) *importUploads {
	return &importUploads{ttl: ttl, max: max}
}

// put keeps an upload and gives it its id.
func (u *importUploads) put(up *importUpload) string {
	up.id = rand.Text()
	now := time.Now()
	up.expires = now.Add(u.ttl)
	u.mu.Lock()
	defer u.mu.Unlock()
	u.held = slices.DeleteFunc(u.held, func(o *importUpload) bool { return o.userID == up.userID || now.After(o.expires) })
	u.held = append(u.held, up)
	total := 0
	for _, o := range u.held {
		total += len(o.data)
	}
	for total > u.max && len(u.held) > 1 {
		total -= len(u.held[0].data)
		u.held = u.held[1:]
	}
	return up.id
}

// get finds an upload of the user's that has not expired.
func (u *importUploads) get(id string, userID int64) (*importUpload, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, o := range u.held {
		if o.id == id && o.userID == userID && time.Now().Before(o.expires) {
			return o, true
		}
	}
	return nil, false
}

func (u *importUploads) drop(id string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.held = slices.DeleteFunc(u.held, func(o *importUpload) bool { return o.id == id })
}

// cmdbImporter serves the import page; it holds the checked uploads.
type cmdbImporter struct {
	*Web
	uploads *importUploads
}

// importView is the data of the import page.
type importView struct {
	MaxMiB  int
	Keep    string // how long a checked file is kept
	Hints   []matchHint
	Types   []cmdb.CIType
	Report  *importReportView
	Pending *pendingImport
}

// matchHint is an attribute rows can be matched on: a unique one.
type matchHint struct {
	Key, Label string
	Types      []string
}

// pendingImport is a checked file the page offers to import.
type pendingImport struct {
	ID, Name string
	Writes   int
	Skips    int // failed rows the import leaves out
}

// Note says what importing the file does: "2 CIs created or updated; the
// failed row is skipped".
func (p pendingImport) Note() string {
	s := plural(p.Writes, "CI") + " created or updated"
	switch {
	case p.Skips == 1:
		s += "; the failed row is skipped"
	case p.Skips > 1:
		s += "; the " + strconv.Itoa(p.Skips) + " failed rows are skipped"
	}
	return s
}

func (c *cmdbImporter) importPage(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	c.renderImport(rw, r, id, http.StatusOK, map[string]any{"mode": "dry_run"}, importView{}, nil, "")
}

// renderImport shows the import page; flash, when given, says what a run did.
func (c *cmdbImporter) renderImport(rw http.ResponseWriter, r *http.Request, id auth.Identity, status int,
	values map[string]any, v importView, fail *formFailure, flash string) {
	types, err := c.store.CITypes(r.Context())
	if err != nil {
		c.fail(rw, r, err)
		return
	}
	v.MaxMiB, v.Keep, v.Types = maxImportUpload>>20, "30 minutes", types
	byKey := map[string]int{}
	for _, t := range types {
		for _, a := range t.Schema {
			// A subtype repeats its ancestors' attributes; name the declaring type once.
			if !a.Unique || a.DefinedBy != t.Key {
				continue
			}
			i, ok := byKey[a.Key]
			if !ok {
				i = len(v.Hints)
				byKey[a.Key] = i
				v.Hints = append(v.Hints, matchHint{Key: a.Key, Label: a.Label})
			}
			v.Hints[i].Types = append(v.Hints[i].Types, t.Name)
		}
	}
	slices.SortFunc(v.Hints, func(a, b matchHint) int { return strings.Compare(a.Key, b.Key) })
	p := adminPage(id, "CMDB import", v)
	p.Values, p.Flash = values, flash
	if fail != nil {
		fail.apply(&p)
	}
	c.render(rw, r, status, "admin_cmdb_import", p)
}

// importPost reads an uploaded file and imports it, or, as a dry run,
// reports what importing it would change and keeps it for importConfirm.
func (c *cmdbImporter) importPost(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	values := map[string]any{"match": r.FormValue("match"), "mode": r.FormValue("mode"), "atomic": r.FormValue("atomic") != ""}
	if values["mode"] != "import" {
		values["mode"] = "dry_run"
	}
	refuse := func(f formFailure) {
		if len(f.Errors) > 0 {
			f.Error = "Nothing was imported: please correct the marked field."
		}
		c.renderImport(rw, r, id, f.Status, values, importView{}, &f, "")
	}
	rules, err := cmdb.ParseMatch(r.FormValue("match"))
	if err != nil {
		f, _ := asFormFailure(err, "match")
		refuse(f)
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		refuse(invalid("file", "Choose a CSV or JSON file to upload."))
		return
	}
	defer file.Close()
	if hdr.Size > maxImportUpload {
		refuse(invalid("file", fmt.Sprintf("The file is %.1f MiB; an upload takes up to %d MiB. Split it, or run cairn import cmdb FILE on the server.",
			float64(hdr.Size)/(1<<20), maxImportUpload>>20)))
		return
	}
	data, err := io.ReadAll(io.LimitReader(file, maxImportUpload+1))
	if err != nil {
		c.fail(rw, r, fmt.Errorf("read upload: %w", err))
		return
	}
	if len(data) > maxImportUpload {
		refuse(invalid("file", fmt.Sprintf("The file is larger than %d MiB. Split it, or run cairn import cmdb FILE on the server.", maxImportUpload>>20)))
		return
	}
	head := data[:min(len(data), 512)]
	up := &importUpload{userID: id.Actor.UserID, name: hdr.Filename, match: r.FormValue("match"), atomic: values["atomic"] == true, data: data,
		format: cmdb.DetectFormat(hdr.Header.Get("Content-Type"), hdr.Filename, head)}
	c.run(rw, r, id, values, up, store.ImportOptions{Match: rules, DryRun: values["mode"] != "import", Atomic: up.atomic})
}

// importConfirm imports a file checked by a dry run a moment ago.
func (c *cmdbImporter) importConfirm(rw http.ResponseWriter, r *http.Request, id auth.Identity) {
	up, ok := c.uploads.get(r.PostFormValue("upload"), id.Actor.UserID)
	if !ok {
		f := formFailure{Status: http.StatusGone, Error: "The checked file is no longer here: a file is kept for 30 minutes after its dry run, " +
			"only your last one is kept, and a restart forgets it. Upload it again; nothing was imported."}
		c.renderImport(rw, r, id, f.Status, map[string]any{"mode": "dry_run"}, importView{}, &f, "")
		return
	}
	rules, err := cmdb.ParseMatch(up.match)
	if err != nil {
		c.fail(rw, r, err) // it parsed when it was kept
		return
	}
	values := map[string]any{"match": up.match, "mode": "import", "atomic": up.atomic}
	c.run(rw, r, id, values, up, store.ImportOptions{Match: rules, Atomic: up.atomic})
}

// run reads an upload and reconciles it with the CMDB, then shows the
// report. After a dry run that would change something, the upload is kept
// and offered for import; after an import, it is dropped.
func (c *cmdbImporter) run(rw http.ResponseWriter, r *http.Request, id auth.Identity, values map[string]any, up *importUpload, opt store.ImportOptions) {
	ctx := r.Context()
	recs, err := cmdb.ReadImport(bytes.NewReader(up.data), up.format)
	if err != nil {
		f, ok := asFormFailure(err, "file")
		if !ok {
			c.fail(rw, r, err)
			return
		}
		if e, _ := errs.As(err); e != nil && e.Field == "file" {
			f.Error = "Not read: " + up.name + " is not a file Cairn can import."
		}
		c.renderImport(rw, r, id, f.Status, values, importView{}, &f, "")
		return
	}
	rep, err := c.store.ImportCIs(ctx, id.Actor, recs, opt)
	if err != nil {
		c.fail(rw, r, err)
		return
	}
	v := importView{}
	if v.Report, err = c.reportView(ctx, rep, up.name); err != nil {
		c.fail(rw, r, err)
		return
	}
	if rep.Applied {
		c.uploads.drop(up.id)
	}
	writes := rep.Created + rep.Updated
	if rep.DryRun && writes > 0 && !(rep.Atomic && rep.Failed > 0) {
		v.Pending = &pendingImport{ID: c.uploads.put(up), Name: up.name, Writes: writes, Skips: rep.Failed}
	}
	// The next upload is a dry run again unless the admin says otherwise.
	values["mode"] = "dry_run"
	var flash string
	switch {
	case rep.DryRun:
		flash = "Dry run of " + up.name + ": nothing was written."
	case rep.Applied:
		flash = fmt.Sprintf("Imported %s: %d created, %d updated, %d unchanged, %d failed.", up.name, rep.Created, rep.Updated, rep.Unchanged, rep.Failed)
	default:
		flash = "Nothing was imported from " + up.name + ": the import is all or nothing, and a row failed."
	}
	c.renderImport(rw, r, id, http.StatusOK, values, v, nil, flash)
}

// --- The report -----------------------------------------------------------------

// importReportView is a report as the page shows it: the counts, and the
// first rows that change and that fail.
type importReportView struct {
	File                                     string
	DryRun, Applied, Atomic                  bool
	Match                                    string
	Total, Created, Updated, Unchanged, Fail int
	Changes                                  []importRowView
	Errors                                   []importErrorView
	MoreChanges, MoreErrors                  int // rows not shown
}

type importRowView struct {
	Row        int
	Action     string
	Name, Type string
	Changes    []changeView
}

type changeView struct{ Field, From, To string }

type importErrorView struct {
	Row                  int
	Name, Field, Message string
}

func (c *cmdbImporter) reportView(ctx context.Context, rep cmdb.ImportReport, file string) (*importReportView, error) {
	v := &importReportView{File: file, DryRun: rep.DryRun, Applied: rep.Applied, Atomic: rep.Atomic, Match: strings.Join(rep.Match, ", then "),
		Total: len(rep.Rows), Created: rep.Created, Updated: rep.Updated, Unchanged: rep.Unchanged, Fail: rep.Failed}
	f, err := newChangeFormatter(ctx, c.store)
	if err != nil {
		return nil, err
	}
	for _, row := range rep.Rows {
		switch row.Action {
		case cmdb.ImportCreated, cmdb.ImportUpdated:
			if len(v.Changes) == maxReportRows {
				v.MoreChanges++
				continue
			}
			rv := importRowView{Row: row.Row, Action: string(row.Action), Name: row.Name, Type: row.Type}
			for _, ch := range row.Changes {
				rv.Changes = append(rv.Changes, changeView{Field: f.field(row.Type, ch.Field),
					From: f.value(row.Type, ch.Field, ch.From), To: f.value(row.Type, ch.Field, ch.To)})
			}
			v.Changes = append(v.Changes, rv)
		case cmdb.ImportFailed:
			if len(v.Errors) == maxReportRows {
				v.MoreErrors++
				continue
			}
			ev := importErrorView{Row: row.Row, Name: row.Name}
			if row.Error != nil {
				ev.Message = row.Error.Message
				if row.Error.Code == "required_field" {
					ev.Message = "is required"
				}
				if row.Error.Field != "" {
					ev.Field = f.field(row.Type, row.Error.Field)
				}
			}
			v.Errors = append(v.Errors, ev)
		}
	}
	return v, nil
}

// changeFormatter writes a report's fields and values for people: labels
// instead of keys, names instead of ids.
type changeFormatter struct {
	ctx   context.Context
	store *store.Store
	ts    *cmdb.TypeSet
	teams map[int64]string
	cis   map[int64]string
	users map[int64]string
}

func newChangeFormatter(ctx context.Context, s *store.Store) (*changeFormatter, error) {
	types, err := s.CITypes(ctx)
	if err != nil {
		return nil, err
	}
	ts, err := cmdb.NewTypeSet(types)
	if err != nil {
		return nil, err
	}
	teams, err := s.Teams(ctx)
	if err != nil {
		return nil, err
	}
	f := &changeFormatter{ctx: ctx, store: s, ts: ts, teams: teamNames(teams), cis: map[int64]string{}, users: map[int64]string{}}
	return f, nil
}

var ciFieldLabels = map[string]string{
	"name": "Name", "type": "Type", "type_id": "Type", "description": "Description", "status": "Status",
	"criticality": "Criticality", "owner_team": "Owner team", "owner_team_id": "Owner team", "file": "File",
}

// attribute finds an attribute of a type named in a report row.
func (f *changeFormatter) attribute(typeName, field string) (cmdb.SchemaAttribute, bool) {
	key, ok := strings.CutPrefix(field, "attributes.")
	if !ok {
		return cmdb.SchemaAttribute{}, false
	}
	t, ok := f.ts.Lookup(typeName)
	if !ok {
		return cmdb.SchemaAttribute{Attribute: cmdb.Attribute{Key: key, Label: key}}, false
	}
	for _, a := range t.Schema {
		if a.Key == key {
			return a, true
		}
	}
	return cmdb.SchemaAttribute{Attribute: cmdb.Attribute{Key: key, Label: key}}, false
}

func (f *changeFormatter) field(typeName, field string) string {
	if l, ok := ciFieldLabels[field]; ok {
		return l
	}
	if a, ok := f.attribute(typeName, field); ok {
		return a.Label
	}
	if key, ok := strings.CutPrefix(field, "attributes."); ok {
		return key
	}
	return field
}

// maxShownText is how much of a long value (a description) a report shows.
const maxShownText = 120

func (f *changeFormatter) value(typeName, field string, v any) string {
	if v == nil {
		return ""
	}
	if id, ok := v.(int64); ok {
		switch field {
		case "type_id":
			if t, ok := f.ts.ByID(id); ok {
				return t.Name
			}
		case "owner_team_id":
			if id == 0 {
				return ""
			}
			if n, ok := f.teams[id]; ok {
				return n
			}
		default:
			if a, ok := f.attribute(typeName, field); ok {
				switch a.Type {
				case cmdb.AttrReference:
					return f.ciName(id)
				case cmdb.AttrPerson:
					return f.userName(id)
				}
			}
		}
		return "#" + strconv.FormatInt(id, 10)
	}
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case string:
		if utf8.RuneCountInString(x) > maxShownText {
			return string([]rune(x)[:maxShownText]) + "…"
		}
		return x
	}
	return fmt.Sprint(v)
}

// ciName names a referenced CI. A dry run gives the CIs it would create
// negative ids.
func (f *changeFormatter) ciName(id int64) string {
	if id < 0 {
		return "a CI an earlier row creates"
	}
	if n, ok := f.cis[id]; ok {
		return n
	}
	n := "CI #" + strconv.FormatInt(id, 10)
	if ci, err := f.store.CI(f.ctx, id); err == nil {
		n = ci.Name
	}
	f.cis[id] = n
	return n
}

func (f *changeFormatter) userName(id int64) string {
	if n, ok := f.users[id]; ok {
		return n
	}
	n := "user #" + strconv.FormatInt(id, 10)
	if u, err := f.store.User(f.ctx, id); err == nil {
		n = u.Name + " <" + u.Email + ">"
	}
	f.users[id] = n
	return n
}
