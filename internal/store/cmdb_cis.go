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

// NewCI is what creating a CI takes. Type is the type's id, key or name;
// empty Status and Criticality take the defaults (live, medium).
type NewCI struct {
	Name        string
	Type        string
	Description string
	Status      string
	Criticality string
	OwnerTeamID int64
	Attributes  map[string]any
}

// CIPatch holds the fields to change; nil leaves a field as it is.
// OwnerTeamID 0 clears the owner team. Attributes are merged into the
// current values, a nil value removing one.
type CIPatch struct {
	Name        *string
	Type        *string
	Description *string
	Status      *string
	Criticality *string
	OwnerTeamID *int64
	Attributes  map[string]any
}

func (in NewCI) input() cmdb.Input {
	out := cmdb.Input{Name: &in.Name, Type: &in.Type, Description: &in.Description, Attributes: in.Attributes}
	if in.Status != "" {
		out.Status = &in.Status
	}
	if in.Criticality != "" {
		out.Criticality = &in.Criticality
	}
	if in.OwnerTeamID != 0 {
		ref := strconv.FormatInt(in.OwnerTeamID, 10)
		out.OwnerTeam = &ref
	}
	return out
}

func (p CIPatch) input() cmdb.Input {
	out := cmdb.Input{Name: p.Name, Type: p.Type, Description: p.Description, Status: p.Status, Criticality: p.Criticality, Attributes: p.Attributes}
	if p.OwnerTeamID != nil {
		ref := strconv.FormatInt(*p.OwnerTeamID, 10)
		out.OwnerTeam = &ref
	}
	return out
}

const ciColumns = `ci.id, ci.type_id, ci.name, ci.description, ci.status, ci.criticality, COALESCE(ci.owner_team_id, 0),
	ci.attributes, ci.created_at, ci.updated_at, COALESCE(tm.name, '')`

const ciJoins = ` FROM cis ci LEFT JOIN teams tm ON tm.id = ci.owner_team_id`

// scanCI reads a CI; the type's name and its attributes' Go types come
// from ts.
func scanCI(sc interface{ Scan(...any) error }, ts *cmdb.TypeSet) (cmdb.CI, error) {
	var ci cmdb.CI
	var status, crit, attrs string
	var created, updated int64
	err := sc.Scan(&ci.ID, &ci.TypeID, &ci.Name, &ci.Description, &status, &crit, &ci.OwnerTeamID, &attrs, &created, &updated, &ci.OwnerTeam)
	if err != nil {
		return ci, err
	}
	ci.Status, ci.Criticality = cmdb.Status(status), cmdb.Criticality(crit)
	ci.CreatedAt, ci.UpdatedAt = fromMillis(created), fromMillis(updated)
	if err := json.Unmarshal([]byte(attrs), &ci.Attributes); err != nil {
		return ci, fmt.Errorf("ci %d: attributes: %w", ci.ID, err)
	}
	t, _ := ts.ByID(ci.TypeID)
	ci.Type, ci.TypeKey = t.Name, t.Key
	ci.Attributes = cmdb.Restore(t.Schema, ci.Attributes)
	return ci, nil
}

// CI finds a CI by id.
func (s *Store) CI(ctx context.Context, id int64) (cmdb.CI, error) {
	c := s.reader(ctx)
	ts, err := c.typeSet()
	if err != nil {
		return cmdb.CI{}, err
	}
	return c.ci(ts, id)
}

func (c *conn) ci(ts *cmdb.TypeSet, id int64) (cmdb.CI, error) {
	ci, err := scanCI(c.row(`SELECT `+ciColumns+ciJoins+` WHERE ci.id = ? AND ci.deleted_at IS NULL`, id), ts)
	if errors.Is(err, sql.ErrNoRows) {
		return ci, notFoundCI(id)
	}
	if err != nil {
		return ci, fmt.Errorf("ci %d: %w", id, err)
	}
	return ci, nil
}

func notFoundCI(id int64) error { return errs.NotFound("no CI with id %d", id) }

// CIFilter narrows and orders a CI listing. Empty fields do not filter.
type CIFilter struct {
	TypeID        int64 // this type and its subtypes
	Statuses      []cmdb.Status
	Criticalities []cmdb.Criticality
	OwnerTeamID   int64
	// Text finds CIs whose name holds it, or with a unique attribute (host
	// name, serial number, asset tag...) equal to it; letter case ignored.
	Text string
	// Query is a query over CIs in the query language (docs/cmdb-query.md),
	// e.g. type = Server AND "Operating system" ~ Ubuntu, or
	// dependsOn("payments-db"). The other fields narrow its result.
	Query string
	// Sort is name, created or updated; empty sorts by the query's ORDER
	// BY, else by name.
	Sort          string
	Descending    bool
	Limit, Offset int
}

// CISortFields are the orders a CI listing accepts.
var CISortFields = map[string]string{
	"name": "lower(ci.name)", "created": "ci.created_at", "updated": "ci.updated_at",
	"type":        "(SELECT lower(t.name) FROM ci_types t WHERE t.id = ci.type_id)",
	"status":      "CASE ci.status WHEN 'planned' THEN 1 WHEN 'live' THEN 2 WHEN 'maintenance' THEN 3 ELSE 4 END", // lifecycle order
	"criticality": "CASE ci.criticality WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 ELSE 4 END",
	"owner_team":  "lower(COALESCE(tm.name, ''))",
}

// CIPage is one page of a CI listing, with the number of all matches.
type CIPage struct {
	CIs    []cmdb.CI `json:"cis"`
	Total  int       `json:"total"`
	Limit  int       `json:"limit"`
	Offset int       `json:"offset"`
}

// CIs lists the CIs that match the filter.
func (s *Store) CIs(ctx context.Context, f CIFilter) (CIPage, error) {
	page := CIPage{CIs: []cmdb.CI{}, Limit: f.Limit, Offset: max(f.Offset, 0)}
	if page.Limit <= 0 {
		page.Limit = 50
	}
	page.Limit = min(page.Limit, MaxPage)
	sortBy := f.Sort
	if sortBy == "" {
		sortBy = "name"
	}
	order, ok := CISortFields[sortBy]
	if !ok {
		return page, errs.Invalid("sort", "cannot sort by %q", f.Sort)
	}
	dir := " ASC"
	if f.Descending {
		dir = " DESC"
	}
	if sortBy != "name" { // ties in name order, whichever way the sort goes
		dir += ", lower(ci.name)"
	}
	order += dir + ", ci.id"
	c := s.reader(ctx)
	ts, err := c.typeSet()
	if err != nil {
		return page, err
	}
	where := []string{"ci.deleted_at IS NULL"}
	var args, orderArgs []any
	if strings.TrimSpace(f.Query) != "" {
		q, err := c.compileCIQuery(ts, f.Query)
		if err != nil {
			return page, err
		}
		where = append(where, q.Where)
		args = append(args, q.Args...)
		if f.Sort == "" && q.OrderBy != "" {
			order, orderArgs = q.OrderBy, q.OrderArgs
		}
	}
	if f.TypeID != 0 {
		if _, ok := ts.ByID(f.TypeID); !ok {
			return page, errs.Invalid("type", "no CI type with id %d", f.TypeID)
		}
		sub := ts.Subtree(f.TypeID)
		where = append(where, "ci.type_id IN ("+placeholders(len(sub))+")")
		args = append(args, int64Args(sub)...)
	}
	if len(f.Statuses) > 0 {
		where = append(where, "ci.status IN ("+placeholders(len(f.Statuses))+")")
		for _, v := range f.Statuses {
			args = append(args, string(v))
		}
	}
	if len(f.Criticalities) > 0 {
		where = append(where, "ci.criticality IN ("+placeholders(len(f.Criticalities))+")")
		for _, v := range f.Criticalities {
			args = append(args, string(v))
		}
	}
	if f.OwnerTeamID != 0 {
		where = append(where, "ci.owner_team_id = ?")
		args = append(args, f.OwnerTeamID)
	}
	if text := strings.TrimSpace(f.Text); text != "" {
		where = append(where, `(lower(ci.name) LIKE ? ESCAPE '\' OR ci.id IN (SELECT ci_id FROM ci_unique_values WHERE value = ?))`)
		args = append(args, "%"+likeEscape(strings.ToLower(text))+"%", cmdb.Canonical(text))
	}
	w := " WHERE " + strings.Join(where, " AND ")
	if err := c.row(`SELECT COUNT(*) FROM cis ci`+w, c.planEachTime(args)...).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("count cis: %w", err)
	}
	if page.Total == 0 || page.Offset >= page.Total {
		return page, nil
	}
	args = append(append(args, orderArgs...), page.Limit, page.Offset)
	rows, err := c.query(`SELECT `+ciColumns+ciJoins+w+` ORDER BY `+order+` LIMIT ? OFFSET ?`, c.planEachTime(args)...)
	if err != nil {
		return page, fmt.Errorf("list cis: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		ci, err := scanCI(rows, ts)
		if err != nil {
			return page, err
		}
		page.CIs = append(page.CIs, ci)
	}
	return page, rows.Err()
}

// CreateCI adds a CI, its values checked against its type's schema.
func (s *Store) CreateCI(ctx context.Context, actor directory.Actor, in NewCI) (cmdb.CI, error) {
	if err := mustStaff(actor, "edit CIs"); err != nil {
		return cmdb.CI{}, err
	}
	var out cmdb.CI
	err := s.inTx(ctx, func(c *conn) error {
		ts, err := c.typeSet()
		if err != nil {
			return err
		}
		ci, err := cmdb.Apply(ts, nil, in.input(), c.lookups(ts))
		if err != nil {
			return err
		}
		out, _, err = c.saveCI(actor, ts, nil, ci, saveOptions{})
		return err
	})
	return out, err
}

// UpdateCI changes a CI's fields and records the changes in its history.
// A patch that changes nothing writes nothing.
func (s *Store) UpdateCI(ctx context.Context, actor directory.Actor, id int64, p CIPatch) (cmdb.CI, error) {
	if err := mustStaff(actor, "edit CIs"); err != nil {
		return cmdb.CI{}, err
	}
	var out cmdb.CI
	err := s.inTx(ctx, func(c *conn) error {
		ts, err := c.typeSet()
		if err != nil {
			return err
		}
		old, err := c.ci(ts, id)
		if err != nil {
			return err
		}
		ci, err := cmdb.Apply(ts, &old, p.input(), c.lookups(ts))
		if err != nil {
			return err
		}
		out, _, err = c.saveCI(actor, ts, &old, ci, saveOptions{})
		return err
	})
	return out, err
}

// saveOptions tune saveCI for imports.
type saveOptions struct {
	source string // recorded in the event: "import"
	// checked says that unique values were checked against a snapshot:
	// the database's unique index alone then catches a race.
	checked bool
	// version is the updated_at (ms) an update was planned on: if the CI
	// changed since, the update is refused. 0 does not check.
	version int64
	// queue, when set, takes the unique values and the event, for the
	// caller to write with those of other CIs before its transaction ends.
	queue *writeQueue
}

// saveCI writes a CI that cmdb.Apply made: a new row when old is nil,
// otherwise the changes to old, with its unique values and the event that
// records the changes. It gives the CI as saved and the changes.
func (c *conn) saveCI(actor directory.Actor, ts *cmdb.TypeSet, old *cmdb.CI, ci cmdb.CI, o saveOptions) (cmdb.CI, []cmdb.Change, error) {
	var before cmdb.CI
	if old != nil {
		before = *old
	}
	changes := cmdb.Diff(before, ci)
	if old == nil {
		changes = cmdb.Created(ci)
	} else if len(changes) == 0 {
		return *old, nil, nil
	}
	t, _ := ts.ByID(ci.TypeID)
	newVals := uniqueValues(t.Schema, ci.Attributes)
	attrs, err := json.Marshal(ci.Attributes)
	if err != nil {
		return ci, nil, fmt.Errorf("ci attributes: %w", err)
	}
	replaceUnique := true
	if old == nil {
		ci.CreatedAt, ci.UpdatedAt = c.now, c.now
		ci.ID, err = c.insert(`INSERT INTO cis (type_id, name, description, status, criticality, owner_team_id, attributes, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, ci.TypeID, ci.Name, ci.Description, string(ci.Status), string(ci.Criticality),
			nullID(ci.OwnerTeamID), string(attrs), millis(c.now), millis(c.now))
		if err != nil {
			return ci, nil, c.ciWriteError(err, ci)
		}
	} else {
		ci.UpdatedAt = c.now
		q := `UPDATE cis SET type_id = ?, name = ?, description = ?, status = ?, criticality = ?, owner_team_id = ?, attributes = ?, updated_at = ?
			WHERE id = ? AND deleted_at IS NULL`
		args := []any{ci.TypeID, ci.Name, ci.Description, string(ci.Status), string(ci.Criticality), nullID(ci.OwnerTeamID), string(attrs), millis(c.now), ci.ID}
		if o.version != 0 {
			q += ` AND updated_at = ?`
			args = append(args, o.version)
		}
		res, err := c.exec(q, args...)
		if err != nil {
			return ci, nil, c.ciWriteError(err, ci)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ci, nil, errs.Conflict("changed", "CI %q changed or was deleted since the import read it; run the import again", ci.Name)
		}
		oldT, _ := ts.ByID(old.TypeID)
		if slices.Equal(uniqueValues(oldT.Schema, old.Attributes), newVals) {
			replaceUnique = false
		} else if _, err := c.exec(`DELETE FROM ci_unique_values WHERE ci_id = ?`, ci.ID); err != nil {
			return ci, nil, fmt.Errorf("ci %d: unique values: %w", ci.ID, err)
		}
	}
	if replaceUnique {
		if !o.checked {
			if err := c.checkUnique(ci.ID, newVals); err != nil {
				return ci, nil, err
			}
		}
		if o.queue != nil {
			o.queue.setUnique(ci.ID, newVals)
		} else if err := c.insertUnique(ci.ID, newVals); err != nil {
			return ci, nil, err
		}
	}
	if ci.OwnerTeamID != 0 && !o.checked && (old == nil || old.OwnerTeamID != ci.OwnerTeamID) {
		if err := c.row(`SELECT name FROM teams WHERE id = ?`, ci.OwnerTeamID).Scan(&ci.OwnerTeam); err != nil {
			return ci, nil, fmt.Errorf("ci %d: owner team: %w", ci.ID, err)
		}
	}
	data := map[string]any{"changes": changes}
	if o.source != "" {
		data["source"] = o.source
	}
	typ := cmdb.EventUpdated
	if old == nil {
		typ = cmdb.EventCreated
		data["name"], data["type_id"] = ci.Name, ci.TypeID
	}
	if o.queue != nil {
		return ci, changes, o.queue.addEvent(ci.ID, typ, data)
	}
	return ci, changes, c.appendEvent("ci", ci.ID, typ, actor, data)
}

// writeQueue holds the unique values and events of many CIs, to be written
// in a few statements at the end of a transaction: an import batch makes
// one round trip per CI instead of three.
type writeQueue struct {
	unique map[int64][]uniqueValue // the last values queued for each CI
	order  []int64
	events []queuedEvent
}

type queuedEvent struct {
	ciID int64
	typ  string
	data string
}

func (q *writeQueue) setUnique(ciID int64, vals []uniqueValue) {
	if q.unique == nil {
		q.unique = map[int64][]uniqueValue{}
	}
	if _, seen := q.unique[ciID]; !seen {
		q.order = append(q.order, ciID)
	}
	q.unique[ciID] = vals
}

func (q *writeQueue) addEvent(ciID int64, typ string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("event %s: %w", typ, err)
	}
	q.events = append(q.events, queuedEvent{ciID, typ, string(raw)})
	return nil
}

// flush writes what is queued, as the actor, in the command's transaction,
// and empties the queue.
func (q *writeQueue) flush(c *conn, actor directory.Actor) error {
	const perStatement = 400
	var vals []uniqueValue
	var owners []int64
	for _, id := range q.order {
		for _, u := range q.unique[id] {
			vals, owners = append(vals, u), append(owners, id)
		}
	}
	for i := 0; i < len(vals); i += perStatement {
		j := min(i+perStatement, len(vals))
		args := make([]any, 0, 4*(j-i))
		for k := i; k < j; k++ {
			args = append(args, vals[k].scope, vals[k].key, vals[k].value, owners[k])
		}
		_, err := c.exec(`INSERT INTO ci_unique_values (scope_type_id, attr_key, value, ci_id) VALUES `+rowsOf(4, j-i), args...)
		if isUnique(err) {
			return &errs.Error{Kind: errs.KindConflict, Code: "duplicate", Field: "attributes",
				Message: "another CI took a unique value of this batch a moment ago"}
		}
		if err != nil {
			return fmt.Errorf("unique values: %w", err)
		}
	}
	for i := 0; i < len(q.events); i += perStatement {
		j := min(i+perStatement, len(q.events))
		args := make([]any, 0, 6*(j-i))
		for _, ev := range q.events[i:j] {
			args = append(args, "ci", ev.ciID, ev.typ, nullID(actor.UserID), ev.data, millis(c.now))
		}
		if _, err := c.exec(`INSERT INTO events (stream, stream_id, type, actor_id, data, created_at) VALUES `+rowsOf(6, j-i), args...); err != nil {
			return fmt.Errorf("events: %w", err)
		}
	}
	*q = writeQueue{}
	return nil
}

// rowsOf gives "(?, ?), (?, ?)" for n rows of k values.
func rowsOf(k, n int) string {
	row := "(" + placeholders(k) + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// ciWriteError turns a broken constraint into an error that names the
// field; the checks before the write make it rare.
func (c *conn) ciWriteError(err error, ci cmdb.CI) error {
	if strings.Contains(err.Error(), "FOREIGN KEY") || strings.Contains(err.Error(), "SQLSTATE 23503") {
		return errs.Invalid("owner_team", "no team with id %d", ci.OwnerTeamID)
	}
	return fmt.Errorf("save ci %q: %w", ci.Name, err)
}

// uniqueValue is one value of a unique attribute, in the scope of the type
// that declares the attribute.
type uniqueValue struct {
	scope      int64
	key, value string
}

// uniqueValues lists a CI's values of unique attributes, sorted.
func uniqueValues(schema []cmdb.SchemaAttribute, attrs map[string]any) []uniqueValue {
	var out []uniqueValue
	for _, a := range schema {
		if v, ok := attrs[a.Key]; ok && a.Unique {
			out = append(out, uniqueValue{a.DefinedByID(), a.Key, cmdb.Canonical(v)})
		}
	}
	slices.SortFunc(out, func(a, b uniqueValue) int {
		if a.key != b.key {
			return strings.Compare(a.key, b.key)
		}
		return int(a.scope - b.scope)
	})
	return out
}

// checkUnique refuses values another CI holds, naming the attribute and
// the CI that holds it.
func (c *conn) checkUnique(ciID int64, vals []uniqueValue) error {
	for _, u := range vals {
		var other int64
		var name string
		err := c.row(`SELECT u.ci_id, ci.name FROM ci_unique_values u JOIN cis ci ON ci.id = u.ci_id
			WHERE u.scope_type_id = ? AND u.attr_key = ? AND u.value = ?`, u.scope, u.key, u.value).Scan(&other, &name)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && other == ciID) {
			continue
		}
		if err != nil {
			return fmt.Errorf("check unique %s: %w", u.key, err)
		}
		return uniqueConflict(u, other, name)
	}
	return nil
}

func uniqueConflict(u uniqueValue, otherID int64, otherName string) error {
	return &errs.Error{Kind: errs.KindConflict, Code: "duplicate", Field: "attributes." + u.key,
		Message: fmt.Sprintf("CI %q (id %d) has this value already: %q", otherName, otherID, u.value)}
}

func (c *conn) insertUnique(ciID int64, vals []uniqueValue) error {
	if len(vals) == 0 {
		return nil
	}
	q := `INSERT INTO ci_unique_values (scope_type_id, attr_key, value, ci_id) VALUES ` + strings.Repeat("(?, ?, ?, ?), ", len(vals)-1) + `(?, ?, ?, ?)`
	args := make([]any, 0, 4*len(vals))
	for _, u := range vals {
		args = append(args, u.scope, u.key, u.value, ciID)
	}
	_, err := c.exec(q, args...)
	if isUnique(err) {
		// Taken since it was checked, by a concurrent command.
		field := "attributes"
		if len(vals) == 1 {
			field += "." + vals[0].key
		}
		return &errs.Error{Kind: errs.KindConflict, Code: "duplicate", Field: field,
			Message: "another CI took one of these unique values a moment ago: " + uniqueList(vals)}
	}
	if err != nil {
		return fmt.Errorf("unique values of ci %d: %w", ciID, err)
	}
	return nil
}

func uniqueList(vals []uniqueValue) string {
	parts := make([]string, len(vals))
	for i, u := range vals {
		parts[i] = fmt.Sprintf("%s %q", u.key, u.value)
	}
	return strings.Join(parts, ", ")
}

// lookups resolves, in the command's transaction, the values that name
// other records: CIs by id or name within a type, users by id or email,
// teams by id or name.
func (c *conn) lookups(ts *cmdb.TypeSet) cmdb.Lookups {
	return cmdb.Lookups{
		CI: func(ref, refType string) (int64, error) {
			want, ok := ts.Lookup(refType)
			if !ok {
				return 0, errs.Invalid("", "no CI type %q", refType)
			}
			var id, typeID int64
			if n, err := strconv.ParseInt(ref, 10, 64); err == nil {
				err := c.row(`SELECT id, type_id FROM cis WHERE id = ? AND deleted_at IS NULL`, n).Scan(&id, &typeID)
				if errors.Is(err, sql.ErrNoRows) {
					return 0, errs.Invalid("", "no CI with id %d", n)
				}
				if err != nil {
					return 0, err
				}
				if !ts.IsA(typeID, want.ID) {
					t, _ := ts.ByID(typeID)
					return 0, errs.Invalid("", "CI %d is a %s, not a %s", n, t.Name, want.Name)
				}
				return id, nil
			}
			sub := ts.Subtree(want.ID)
			ids, err := c.ids(`SELECT id FROM cis WHERE lower(name) = lower(?) AND deleted_at IS NULL AND type_id IN (`+placeholders(len(sub))+`) ORDER BY id LIMIT 2`,
				append([]any{ref}, int64Args(sub)...)...)
			if err != nil {
				return 0, err
			}
			switch len(ids) {
			case 0:
				return 0, errs.Invalid("", "no %s named %q", want.Name, ref)
			case 1:
				return ids[0], nil
			}
			return 0, errs.Invalid("", "several CIs of type %s are named %q; give the id", want.Name, ref)
		},
		User: func(ref string) (int64, error) {
			var id int64
			var err error
			if n, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
				err = c.row(`SELECT id FROM users WHERE id = ?`, n).Scan(&id)
			} else {
				err = c.row(`SELECT id FROM users WHERE email = ?`, strings.ToLower(ref)).Scan(&id)
			}
			if errors.Is(err, sql.ErrNoRows) {
				return 0, errs.Invalid("", "no user %q", ref)
			}
			return id, err
		},
		Team: func(ref string) (int64, error) {
			var id int64
			var err error
			if n, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
				err = c.row(`SELECT id FROM teams WHERE id = ?`, n).Scan(&id)
			} else {
				err = c.row(`SELECT id FROM teams WHERE lower(name) = lower(?)`, ref).Scan(&id)
			}
			if errors.Is(err, sql.ErrNoRows) {
				return 0, errs.Invalid("owner_team", "no team %q", ref)
			}
			return id, err
		},
	}
}

// DeleteCI deletes a CI with its relationships and its links to services;
// its history stays. A CI that tickets name cannot be deleted: retire it
// instead, so that those tickets keep what they were about.
func (s *Store) DeleteCI(ctx context.Context, actor directory.Actor, id int64) error {
	if err := mustStaff(actor, "edit CIs"); err != nil {
		return err
	}
	return s.inTx(ctx, func(c *conn) error {
		ts, err := c.typeSet()
		if err != nil {
			return err
		}
		ci, err := c.ci(ts, id)
		if err != nil {
			return err
		}
		keys, err := c.strings(`SELECT t.key FROM ticket_cis tc JOIN tickets t ON t.id = tc.ticket_id WHERE tc.ci_id = ? ORDER BY t.id LIMIT 6`, id)
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			list := strings.Join(keys[:min(len(keys), 5)], ", ")
			if len(keys) > 5 {
				list += "…"
			}
			return errs.Conflict("ci_in_use", "tickets name CI %q (%s); retire it instead of deleting it", ci.Name, list)
		}
		rels, err := c.relationships(ts, id)
		if err != nil {
			return err
		}
		for _, r := range rels {
			if err := c.removeRelationship(actor, id, r); err != nil {
				return err
			}
		}
		svcs, err := c.ids(`SELECT service_id FROM service_cis WHERE ci_id = ? ORDER BY service_id`, id)
		if err != nil {
			return err
		}
		for _, sid := range svcs {
			if err := c.unlinkServiceCI(actor, sid, ci); err != nil {
				return err
			}
		}
		if _, err := c.exec(`DELETE FROM ci_unique_values WHERE ci_id = ?`, id); err != nil {
			return fmt.Errorf("delete ci %d: %w", id, err)
		}
		if _, err := c.exec(`UPDATE cis SET deleted_at = ?, updated_at = ? WHERE id = ?`, millis(c.now), millis(c.now), id); err != nil {
			return fmt.Errorf("delete ci %d: %w", id, err)
		}
		return c.appendEvent("ci", id, cmdb.EventDeleted, actor, map[string]any{"ci": ci})
	})
}

// strings runs a query of one text column.
func (c *conn) strings(query string, args ...any) ([]string, error) {
	rows, err := c.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// CIHistory gives a CI's event log, oldest first: its creation, changes
// with each field's old and new value, relationships, links and deletion.
// The history of a deleted CI can still be read. Links to tickets the
// actor may not see are left out.
func (s *Store) CIHistory(ctx context.Context, actor directory.Actor, id int64) ([]cmdb.Event, error) {
	if err := mustStaff(actor, "see the CMDB"); err != nil {
		return nil, err
	}
	c := s.reader(ctx)
	var one int
	err := c.row(`SELECT 1 FROM cis WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.NotFound("no CI with id %d", id)
	}
	if err != nil {
		return nil, err
	}
	rows, err := c.query(`SELECT e.id, e.type, COALESCE(e.actor_id, 0), COALESCE(u.name, 'Cairn'), e.data, e.created_at
		FROM events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE e.stream = 'ci' AND e.stream_id = ? ORDER BY e.id`, id)
	if err != nil {
		return nil, fmt.Errorf("history of ci %d: %w", id, err)
	}
	defer rows.Close()
	out := []cmdb.Event{}
	for rows.Next() {
		var ev cmdb.Event
		var data string
		var created int64
		if err := rows.Scan(&ev.ID, &ev.Type, &ev.ActorID, &ev.Actor, &data, &created); err != nil {
			return nil, err
		}
		ev.CreatedAt = fromMillis(created)
		var payload struct {
			Changes []cmdb.Change `json:"changes"`
			Ticket  string        `json:"ticket"`
		}
		if err := json.Unmarshal([]byte(data), &payload); err != nil {
			return nil, fmt.Errorf("event %d: %w", ev.ID, err)
		}
		if payload.Ticket != "" && actor.Role != directory.RoleAdmin {
			if _, err := c.ticket(actor, payload.Ticket); errs.Is(err, errs.KindNotFound) {
				continue
			} else if err != nil {
				return nil, err
			}
		}
		ev.Changes = payload.Changes
		if err := json.Unmarshal([]byte(data), &ev.Data); err != nil {
			return nil, fmt.Errorf("event %d: %w", ev.ID, err)
		}
		delete(ev.Data, "changes")
		if len(ev.Data) == 0 {
			ev.Data = nil
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}
