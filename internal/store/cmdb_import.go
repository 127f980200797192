package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
)

// ImportOptions say how an import reconciles its rows with the CMDB.
type ImportOptions struct {
	Match  []cmdb.MatchRule // how rows find their CI; nil: cmdb.DefaultMatch
	DryRun bool             // report what would change, write nothing
	// Atomic imports every row or none: one bad row and nothing is
	// written. Otherwise the good rows are imported and the bad ones
	// reported.
	Atomic bool
}

// importBatch is how many rows one transaction writes. Each row is checked
// before any is written, so a batch fails only when the database refuses
// what the snapshot allowed (a concurrent change); its rows are then
// written one by one, each on its own.
const importBatch = 500

// ImportCIs reconciles rows read by cmdb.ReadImport with the CMDB. Each
// row finds its CI by the first match rule for which the row has every
// field and some CI the same values (letter case ignored); a row that
// finds none creates a CI, one that finds several fails as ambiguous. A
// found CI gets the fields the row gives, and is left unchanged when they
// are what it has already: running an import twice changes nothing the
// second time. A row's type that is a parent of the CI's type (Server for a
// Linux server) keeps the CI's type.
//
// Rows are planned against a snapshot of the CMDB, in file order (a row
// sees what the rows before it did), then written in batches. A row is all
// or nothing; the report gives each row's outcome with its changes or its
// error.
func (s *Store) ImportCIs(ctx context.Context, actor directory.Actor, recs []cmdb.Record, opt ImportOptions) (cmdb.ImportReport, error) {
	report := cmdb.ImportReport{DryRun: opt.DryRun, Atomic: opt.Atomic, Rows: make([]cmdb.ImportRow, 0, len(recs))}
	if err := mustAdmin(actor, "import CIs"); err != nil {
		return report, err
	}
	if len(opt.Match) == 0 {
		opt.Match = cmdb.DefaultMatch
	}
	for _, m := range opt.Match {
		report.Match = append(report.Match, m.String())
	}
	st, err := s.loadImportState(ctx, opt.Match)
	if err != nil {
		return report, err
	}
	plans := make([]*importPlan, 0, len(recs))
	for _, rec := range recs {
		p := st.plan(rec)
		plans = append(plans, p)
		report.Rows = append(report.Rows, p.row)
	}
	report.Count()
	if opt.DryRun || (opt.Atomic && report.Failed > 0) {
		hidePlannedIDs(&report)
		return report, nil
	}
	var todo []*importPlan
	for _, p := range plans {
		if p.row.Action == cmdb.ImportCreated || p.row.Action == cmdb.ImportUpdated {
			todo = append(todo, p)
		}
	}
	ap := &importApply{st: st, actor: actor, real: map[int64]int64{}}
	// writeAll writes rows and what they queued in one transaction.
	writeAll := func(rows []*importPlan) error {
		return s.inTx(ctx, func(c *conn) error {
			q := &writeQueue{}
			for _, p := range rows {
				if err := ap.write(c, p, q); err != nil {
					return err
				}
			}
			ap.failed = nil // a conflict at the flush is no one row's
			return q.flush(c, actor)
		})
	}
	if opt.Atomic {
		err := writeAll(todo)
		if err != nil {
			if p := ap.failed; p != nil && isRowError(err) {
				p.fail(err)
				report.Rows[p.index] = p.row
				report.Count()
				hidePlannedIDs(&report)
				return report, nil
			}
			return report, err
		}
	} else {
		for batch := range slices.Chunk(todo, importBatch) {
			saved := ap.snapshot()
			err := writeAll(batch)
			if err == nil {
				continue
			}
			if !isRowError(err) {
				return report, err
			}
			ap.restore(saved)
			for _, p := range batch {
				err := writeAll([]*importPlan{p})
				if err != nil {
					if !isRowError(err) {
						return report, err
					}
					p.fail(err)
				}
			}
		}
	}
	for _, p := range plans {
		if id, ok := ap.real[p.row.CIID]; ok {
			p.row.CIID = id
		}
		report.Rows[p.index] = p.row
	}
	report.Count()
	hidePlannedIDs(&report)
	report.Applied = true
	return report, nil
}

// hidePlannedIDs leaves out the ids of CIs that were not created.
func hidePlannedIDs(r *cmdb.ImportReport) {
	for i := range r.Rows {
		if r.Rows[i].CIID < 0 {
			r.Rows[i].CIID = 0
		}
	}
}

// isRowError tells a row's own failure (a rule, a conflict) from an outage.
func isRowError(err error) bool {
	_, ok := errs.As(err)
	return ok
}

// importState is the snapshot an import plans against, kept up to date
// with what the rows planned so far would do. CIs the import creates get
// negative ids until they are written.
type importState struct {
	ts       *cmdb.TypeSet
	match    []cmdb.MatchRule
	cis      map[int64]*cmdb.CI
	version  map[int64]int64       // updated_at of the CIs as read
	byName   map[string][]int64    // lower-case name -> CIs
	index    []map[string][]int64  // per match rule: key -> CIs
	unique   map[uniqueValue]int64 // unique value -> CI
	users    map[string]userLookup // person values already resolved
	teams    map[string]int64      // lower-case name and id -> team
	lastTemp int64
	planned  int // rows planned so far

	lookupUser func(ref string) (int64, error)
}

type userLookup struct {
	id  int64
	err error
}

func (s *Store) loadImportState(ctx context.Context, match []cmdb.MatchRule) (*importState, error) {
	c := s.reader(ctx)
	ts, err := c.typeSet()
	if err != nil {
		return nil, err
	}
	st := &importState{ts: ts, match: match, cis: map[int64]*cmdb.CI{}, version: map[int64]int64{}, byName: map[string][]int64{},
		unique: map[uniqueValue]int64{}, users: map[string]userLookup{}, teams: map[string]int64{}}
	for range match {
		st.index = append(st.index, map[string][]int64{})
	}
	rows, err := c.query(`SELECT id, type_id, name, description, status, criticality, COALESCE(owner_team_id, 0), attributes, created_at, updated_at
		FROM cis WHERE deleted_at IS NULL ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("import: read cis: %w", err)
	}
	for rows.Next() {
		ci := &cmdb.CI{}
		var status, crit, attrs string
		var created, updated int64
		if err := rows.Scan(&ci.ID, &ci.TypeID, &ci.Name, &ci.Description, &status, &crit, &ci.OwnerTeamID, &attrs, &created, &updated); err != nil {
			rows.Close()
			return nil, err
		}
		ci.Status, ci.Criticality = cmdb.Status(status), cmdb.Criticality(crit)
		ci.CreatedAt, ci.UpdatedAt = fromMillis(created), fromMillis(updated)
		if err := json.Unmarshal([]byte(attrs), &ci.Attributes); err != nil {
			rows.Close()
			return nil, fmt.Errorf("ci %d: attributes: %w", ci.ID, err)
		}
		t, _ := ts.ByID(ci.TypeID)
		ci.Type, ci.TypeKey = t.Name, t.Key
		ci.Attributes = cmdb.Restore(t.Schema, ci.Attributes)
		st.version[ci.ID] = updated
		st.add(ci)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = c.query(`SELECT scope_type_id, attr_key, value, ci_id FROM ci_unique_values`)
	if err != nil {
		return nil, fmt.Errorf("import: read unique values: %w", err)
	}
	for rows.Next() {
		var u uniqueValue
		var ci int64
		if err := rows.Scan(&u.scope, &u.key, &u.value, &ci); err != nil {
			rows.Close()
			return nil, err
		}
		st.unique[u] = ci
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	teams, err := s.Teams(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range teams {
		st.teams[strings.ToLower(t.Name)] = t.ID
		st.teams[strconv.FormatInt(t.ID, 10)] = t.ID
	}
	st.users = map[string]userLookup{}
	st.lookupUser = func(ref string) (int64, error) {
		key := strings.ToLower(ref)
		if u, ok := st.users[key]; ok {
			return u.id, u.err
		}
		var id int64
		var err error
		if n, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
			err = c.row(`SELECT id FROM users WHERE id = ?`, n).Scan(&id)
		} else {
			err = c.row(`SELECT id FROM users WHERE email = ?`, key).Scan(&id)
		}
		if errors.Is(err, sql.ErrNoRows) {
			err = errs.Invalid("", "no user %q", ref)
		}
		st.users[key] = userLookup{id, err}
		return id, err
	}
	return st, nil
}

// matchKey is a CI's (or a row's) values for a match rule, or "" when one
// of them is missing.
func (st *importState) matchKey(rule cmdb.MatchRule, name string, typeID int64, attrs map[string]any) string {
	parts := make([]string, len(rule))
	for i, f := range rule {
		var v string
		switch f {
		case "name":
			v = cmdb.Canonical(name)
		case "type":
			if typeID != 0 {
				v = strconv.FormatInt(typeID, 10)
			}
		default:
			v = cmdb.Canonical(attrs[f])
		}
		if v == "" {
			return ""
		}
		parts[i] = v
	}
	return strings.Join(parts, "\x1f")
}

// add puts a CI in the snapshot's indexes.
func (st *importState) add(ci *cmdb.CI) {
	st.cis[ci.ID] = ci
	n := strings.ToLower(ci.Name)
	st.byName[n] = append(st.byName[n], ci.ID)
	for i, rule := range st.match {
		if k := st.matchKey(rule, ci.Name, ci.TypeID, ci.Attributes); k != "" {
			st.index[i][k] = append(st.index[i][k], ci.ID)
		}
	}
	t, _ := st.ts.ByID(ci.TypeID)
	for _, u := range uniqueValues(t.Schema, ci.Attributes) {
		st.unique[u] = ci.ID
	}
}

// remove takes a CI out of the snapshot's indexes, before it is changed.
func (st *importState) remove(ci *cmdb.CI) {
	drop := func(m map[string][]int64, k string) {
		ids := slices.DeleteFunc(m[k], func(id int64) bool { return id == ci.ID })
		if len(ids) == 0 {
			delete(m, k)
		} else {
			m[k] = ids
		}
	}
	drop(st.byName, strings.ToLower(ci.Name))
	for i, rule := range st.match {
		if k := st.matchKey(rule, ci.Name, ci.TypeID, ci.Attributes); k != "" {
			drop(st.index[i], k)
		}
	}
	t, _ := st.ts.ByID(ci.TypeID)
	for _, u := range uniqueValues(t.Schema, ci.Attributes) {
		if st.unique[u] == ci.ID {
			delete(st.unique, u)
		}
	}
	delete(st.cis, ci.ID)
}

// importPlan is what an import does with one row.
type importPlan struct {
	index int
	row   cmdb.ImportRow
	old   *cmdb.CI // nil: create
	ci    cmdb.CI  // the CI as it will be
}

func (p *importPlan) fail(err error) {
	p.row.Action = cmdb.ImportFailed
	p.row.Error = cmdb.RowError(err)
	p.row.Changes = nil
}

// plan decides what to do with a row and applies it to the snapshot.
func (st *importState) plan(rec cmdb.Record) *importPlan {
	p := &importPlan{index: st.planned, row: cmdb.ImportRow{Row: rec.Row, Name: rec.Name, Type: rec.Type}}
	st.planned++
	if err := st.planRow(p, rec); err != nil {
		p.fail(err)
	}
	return p
}

func (st *importState) planRow(p *importPlan, rec cmdb.Record) error {
	if rec.Err != nil {
		return rec.Err
	}
	if rec.Type == "" {
		return errs.Required("type")
	}
	t, ok := st.ts.Lookup(rec.Type)
	if !ok {
		return errs.Invalid("type", "no CI type %q", rec.Type)
	}
	p.row.Type = t.Name
	look := st.lookups()
	attrs, err := cmdb.KeysByLabel(t.Schema, rec.Attributes)
	if err != nil {
		return err
	}
	rec.Attributes = attrs

	// Find the CI: the first rule that the row can say and a CI matches.
	for i, rule := range st.match {
		attrs := map[string]any{}
		usable := true
		for _, f := range rule {
			if f == "name" || f == "type" {
				continue
			}
			raw, given := rec.Attributes[f]
			j := slices.IndexFunc(t.Schema, func(a cmdb.SchemaAttribute) bool { return a.Key == f })
			if !given || j < 0 {
				usable = false
				break
			}
			v, err := cmdb.Normalize(t.Schema[j].Attribute, raw, look)
			if err != nil {
				return errs.Invalid("attributes."+f, "%s", errMessage(err))
			}
			attrs[f] = v
		}
		if !usable {
			continue
		}
		key := st.matchKey(rule, rec.Name, t.ID, attrs)
		if key == "" {
			continue
		}
		switch ids := st.index[i][key]; len(ids) {
		case 0:
			continue
		case 1:
			p.old = st.cis[ids[0]]
			p.row.MatchedBy = rule.String()
		default:
			list := make([]string, len(ids))
			for k, id := range ids {
				list[k] = strconv.FormatInt(id, 10)
			}
			return errs.Conflict("ambiguous", "the row matches %d CIs by %s (ids %s); make the rule more precise", len(ids), rule, strings.Join(list, ", "))
		}
		break
	}

	in := cmdb.Input{Attributes: rec.Attributes, Description: rec.Description}
	typeRef := strconv.FormatInt(t.ID, 10)
	if p.old == nil || !st.ts.IsA(p.old.TypeID, t.ID) {
		in.Type = &typeRef
	}
	if rec.Name != "" || p.old == nil {
		in.Name = &rec.Name
	}
	for _, f := range []struct {
		v   string
		dst **string
	}{{rec.Status, &in.Status}, {rec.Criticality, &in.Criticality}, {rec.OwnerTeam, &in.OwnerTeam}} {
		if f.v != "" {
			v := f.v
			*f.dst = &v
		}
	}
	ci, err := cmdb.Apply(st.ts, p.old, in, look)
	if err != nil {
		return err
	}
	t, _ = st.ts.ByID(ci.TypeID)
	for _, u := range uniqueValues(t.Schema, ci.Attributes) {
		if other, taken := st.unique[u]; taken && (p.old == nil || other != p.old.ID) {
			name := ""
			if o := st.cis[other]; o != nil {
				name = o.Name
			}
			if other < 0 {
				return &errs.Error{Kind: errs.KindConflict, Code: "duplicate", Field: "attributes." + u.key,
					Message: fmt.Sprintf("an earlier row of this import gives CI %q this value already: %q", name, u.value)}
			}
			return uniqueConflict(u, other, name)
		}
	}
	p.ci = ci
	p.row.Name, p.row.Type = ci.Name, ci.Type
	if p.old == nil {
		p.row.Action = cmdb.ImportCreated
		p.row.Changes = cmdb.Created(ci)
		st.lastTemp--
		p.ci.ID = st.lastTemp
		p.row.CIID = p.ci.ID
		st.add(&p.ci)
		return nil
	}
	p.row.CIID = p.old.ID
	p.row.Changes = cmdb.Diff(*p.old, ci)
	if len(p.row.Changes) == 0 {
		p.row.Action = cmdb.ImportUnchanged
		return nil
	}
	p.row.Action = cmdb.ImportUpdated
	// Later rows about this CI see what this row does.
	st.remove(p.old)
	next := ci
	st.add(&next)
	return nil
}

func errMessage(err error) string {
	if e, ok := errs.As(err); ok {
		return e.Message
	}
	return err.Error()
}

// lookups resolves references from the snapshot, so that a row may name a
// CI an earlier row creates, and people from the database.
func (st *importState) lookups() cmdb.Lookups {
	return cmdb.Lookups{
		CI: func(ref, refType string) (int64, error) {
			want, ok := st.ts.Lookup(refType)
			if !ok {
				return 0, errs.Invalid("", "no CI type %q", refType)
			}
			if n, err := strconv.ParseInt(ref, 10, 64); err == nil {
				ci := st.cis[n]
				if ci == nil || n <= 0 {
					return 0, errs.Invalid("", "no CI with id %d", n)
				}
				if !st.ts.IsA(ci.TypeID, want.ID) {
					return 0, errs.Invalid("", "CI %d is a %s, not a %s", n, ci.Type, want.Name)
				}
				return n, nil
			}
			var found []int64
			for _, id := range st.byName[strings.ToLower(ref)] {
				if st.ts.IsA(st.cis[id].TypeID, want.ID) {
					found = append(found, id)
				}
			}
			switch len(found) {
			case 0:
				return 0, errs.Invalid("", "no %s named %q", want.Name, ref)
			case 1:
				return found[0], nil
			}
			return 0, errs.Invalid("", "several CIs of type %s are named %q; give the id", want.Name, ref)
		},
		User: st.lookupUser,
		Team: func(ref string) (int64, error) {
			if id, ok := st.teams[strings.ToLower(strings.TrimSpace(ref))]; ok {
				return id, nil
			}
			return 0, errs.Invalid("owner_team", "no team %q", ref)
		},
	}
}

// importApply writes planned rows, mapping the ids of CIs the import
// creates to the ids the database gives them.
type importApply struct {
	st      *importState
	actor   directory.Actor
	real    map[int64]int64 // planned (negative) id -> id
	written map[int64]int64 // CI -> updated_at this import wrote
	failed  *importPlan     // the row whose write failed last
}

type applySnapshot struct {
	real, written map[int64]int64
}

func (ap *importApply) snapshot() applySnapshot {
	return applySnapshot{cloneMap(ap.real), cloneMap(ap.written)}
}

func (ap *importApply) restore(s applySnapshot) { ap.real, ap.written = s.real, s.written }

func cloneMap(m map[int64]int64) map[int64]int64 {
	out := make(map[int64]int64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (ap *importApply) write(c *conn, p *importPlan, q *writeQueue) error {
	ap.failed = p
	if ap.written == nil {
		ap.written = map[int64]int64{}
	}
	ci := p.ci
	var err error
	if ci.Attributes, err = ap.realIDs(p.ci); err != nil {
		return err
	}
	o := saveOptions{source: "import", checked: true, queue: q}
	var old *cmdb.CI
	if p.old != nil {
		id := p.old.ID
		if id < 0 {
			real, ok := ap.real[id]
			if !ok {
				return errs.Invalid("", "updates a CI that an earlier row failed to create")
			}
			id = real
		}
		prev := *p.old
		if prev.Attributes, err = ap.realIDs(prev); err != nil {
			return err
		}
		prev.ID, ci.ID = id, id
		old = &prev
		if v, ok := ap.written[id]; ok {
			o.version = v
		} else {
			o.version = ap.st.version[id]
		}
	}
	saved, _, err := c.saveCI(ap.actor, ap.st.ts, old, ci, o)
	if err != nil {
		return err
	}
	if p.old == nil {
		ap.real[p.ci.ID] = saved.ID
	}
	ap.written[saved.ID] = millis(c.now)
	return nil
}

// realIDs gives a CI's attributes with the planned ids of the CIs the
// import creates replaced by their real ids.
func (ap *importApply) realIDs(ci cmdb.CI) (map[string]any, error) {
	out := make(map[string]any, len(ci.Attributes))
	t, _ := ap.st.ts.ByID(ci.TypeID)
	for _, a := range t.Schema {
		v, ok := ci.Attributes[a.Key]
		if !ok {
			continue
		}
		if id, isID := v.(int64); isID && id < 0 && a.Type == cmdb.AttrReference {
			real, ok := ap.real[id]
			if !ok {
				return nil, errs.Invalid("attributes."+a.Key, "names a CI that an earlier row failed to create")
			}
			v = real
		}
		out[a.Key] = v
	}
	return out, nil
}
