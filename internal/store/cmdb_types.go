package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
)

// CI types are few (tens, perhaps hundreds) and every CI command needs the
// schema of its type with inheritance resolved, so they are read whole and
// resolved in Go by cmdb.NewTypeSet.

const ciTypeColumns = `id, key, name, description, COALESCE(parent_id, 0), attributes, built_in, created_at, updated_at`

func scanCIType(sc interface{ Scan(...any) error }) (cmdb.CIType, error) {
	var t cmdb.CIType
	var attrs string
	var created, updated int64
	if err := sc.Scan(&t.ID, &t.Key, &t.Name, &t.Description, &t.ParentID, &attrs, &t.BuiltIn, &created, &updated); err != nil {
		return t, err
	}
	t.CreatedAt, t.UpdatedAt = fromMillis(created), fromMillis(updated)
	if err := json.Unmarshal([]byte(attrs), &t.Attributes); err != nil {
		return t, fmt.Errorf("ci type %d: attributes: %w", t.ID, err)
	}
	return t, nil
}

// typeList reads every CI type, by name.
func (c *conn) typeList() ([]cmdb.CIType, error) {
	rows, err := c.query(`SELECT ` + ciTypeColumns + ` FROM ci_types ORDER BY lower(name)`)
	if err != nil {
		return nil, fmt.Errorf("list ci types: %w", err)
	}
	defer rows.Close()
	var out []cmdb.CIType
	for rows.Next() {
		t, err := scanCIType(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// typeSet reads every CI type with inheritance resolved.
func (c *conn) typeSet() (*cmdb.TypeSet, error) {
	list, err := c.typeList()
	if err != nil {
		return nil, err
	}
	ts, err := cmdb.NewTypeSet(list)
	if err != nil {
		return nil, fmt.Errorf("ci types: %w", err)
	}
	return ts, nil
}

// CITypes lists every CI type by name, each with its schema: its inherited
// attributes, then its own.
func (s *Store) CITypes(ctx context.Context) ([]cmdb.CIType, error) {
	ts, err := s.reader(ctx).typeSet()
	if err != nil {
		return nil, err
	}
	return ts.Types(), nil
}

// CIType finds a CI type by id, key or name.
func (s *Store) CIType(ctx context.Context, ref string) (cmdb.CIType, error) {
	ts, err := s.reader(ctx).typeSet()
	if err != nil {
		return cmdb.CIType{}, err
	}
	t, ok := ts.Lookup(ref)
	if !ok {
		return t, errs.NotFound("no CI type %q", ref)
	}
	return t, nil
}

func mustAdmin(actor directory.Actor, what string) error {
	if actor.Role != directory.RoleAdmin {
		return errs.Forbidden("only admins may %s", what)
	}
	return nil
}

func mustStaff(actor directory.Actor, what string) error {
	if !actor.Role.Staff() {
		return errs.Forbidden("only agents may %s", what)
	}
	return nil
}

// CreateCIType adds a CI type. Key defaults to a slug of the name; a
// reference attribute's ref_type may name its type by key, name or id.
func (s *Store) CreateCIType(ctx context.Context, actor directory.Actor, t cmdb.CIType) (cmdb.CIType, error) {
	if err := mustAdmin(actor, "define CI types"); err != nil {
		return t, err
	}
	if err := t.Validate(); err != nil {
		return t, err
	}
	var out cmdb.CIType
	err := s.inTx(ctx, func(c *conn) error {
		list, err := c.typeList()
		if err != nil {
			return err
		}
		t.ID, t.BuiltIn, t.CreatedAt, t.UpdatedAt = -1, false, c.now, c.now
		if err := resolveRefTypes(list, &t); err != nil {
			return err
		}
		ts, err := cmdb.CheckTypes(append(list, t), -1)
		if err != nil {
			return err
		}
		attrs, _ := json.Marshal(t.Attributes)
		id, err := c.insert(`INSERT INTO ci_types (key, name, description, parent_id, attributes, built_in, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, t.Key, t.Name, t.Description, nullID(t.ParentID), string(attrs), false, millis(c.now), millis(c.now))
		if isUnique(err) {
			return &errs.Error{Kind: errs.KindConflict, Code: "duplicate", Field: "name", Message: fmt.Sprintf("a CI type named %q or with key %q exists already", t.Name, t.Key)}
		}
		if err != nil {
			return fmt.Errorf("create ci type: %w", err)
		}
		t.ID = id
		if ts, err = cmdb.NewTypeSet(append(list, t)); err != nil {
			return err
		}
		out, _ = ts.ByID(id)
		return c.appendEvent("ci_type", id, cmdb.EventTypeCreated, actor, t)
	})
	return out, err
}

// resolveRefTypes lets a reference attribute name its type by name or id
// as well as by key, and stores the key.
func resolveRefTypes(list []cmdb.CIType, t *cmdb.CIType) error {
	var ts *cmdb.TypeSet
	for i := range t.Attributes {
		a := &t.Attributes[i]
		if a.Type != cmdb.AttrReference || a.RefType == t.Key || slices.ContainsFunc(list, func(o cmdb.CIType) bool { return o.Key == a.RefType }) {
			continue
		}
		if ts == nil {
			var err error
			if ts, err = cmdb.NewTypeSet(list); err != nil {
				return err
			}
		}
		if ref, ok := ts.Lookup(a.RefType); ok {
			a.RefType = ref.Key
		} else if a.RefType == t.Name {
			a.RefType = t.Key
		}
	}
	return nil
}

// UpdateCIType replaces a CI type's name, description, parent and
// attributes; its key stays. Values of CIs are not rewritten: a CI whose
// values no longer fit is told so on its next change. When the unique
// attributes of the type or of its subtypes change (or the parent does),
// the unique values of their CIs are indexed anew, and a duplicate among
// them refuses the change.
func (s *Store) UpdateCIType(ctx context.Context, actor directory.Actor, t cmdb.CIType) (cmdb.CIType, error) {
	if err := mustAdmin(actor, "define CI types"); err != nil {
		return t, err
	}
	var out cmdb.CIType
	err := s.inTx(ctx, func(c *conn) error {
		list, err := c.typeList()
		if err != nil {
			return err
		}
		i := slices.IndexFunc(list, func(o cmdb.CIType) bool { return o.ID == t.ID })
		if i < 0 {
			return errs.NotFound("no CI type with id %d", t.ID)
		}
		old := list[i]
		if t.Key == "" {
			t.Key = old.Key
		}
		if t.Key != old.Key {
			return errs.Invalid("key", "a type's key cannot change (it is %q)", old.Key)
		}
		if err := t.Validate(); err != nil {
			return err
		}
		t.BuiltIn, t.CreatedAt, t.UpdatedAt = old.BuiltIn, old.CreatedAt, c.now
		if err := resolveRefTypes(list, &t); err != nil {
			return err
		}
		oldSet, err := cmdb.NewTypeSet(list)
		if err != nil {
			return err
		}
		list[i] = t
		ts, err := cmdb.CheckTypes(list, t.ID)
		if err != nil {
			return err
		}
		attrs, _ := json.Marshal(t.Attributes)
		_, err = c.exec(`UPDATE ci_types SET name = ?, description = ?, parent_id = ?, attributes = ?, updated_at = ? WHERE id = ?`,
			t.Name, t.Description, nullID(t.ParentID), string(attrs), millis(c.now), t.ID)
		if isUnique(err) {
			return &errs.Error{Kind: errs.KindConflict, Code: "duplicate", Field: "name", Message: fmt.Sprintf("a CI type named %q exists already", t.Name)}
		}
		if err != nil {
			return fmt.Errorf("update ci type: %w", err)
		}
		var changed []int64
		for _, id := range ts.Subtree(t.ID) {
			before, _ := oldSet.ByID(id)
			after, _ := ts.ByID(id)
			if !slices.Equal(cmdb.UniqueScopes(before.Schema), cmdb.UniqueScopes(after.Schema)) {
				changed = append(changed, id)
			}
		}
		if len(changed) > 0 {
			if err := c.reindexUnique(ts, changed); err != nil {
				return err
			}
		}
		out, _ = ts.ByID(t.ID)
		return c.appendEvent("ci_type", t.ID, cmdb.EventTypeUpdated, actor, map[string]any{"from": old, "to": t})
	})
	return out, err
}

// reindexUnique rebuilds the unique values of the CIs of the given types.
func (c *conn) reindexUnique(ts *cmdb.TypeSet, typeIDs []int64) error {
	if _, err := c.exec(`DELETE FROM ci_unique_values WHERE ci_id IN (SELECT id FROM cis WHERE type_id IN (`+placeholders(len(typeIDs))+`))`, int64Args(typeIDs)...); err != nil {
		return fmt.Errorf("reindex unique values: %w", err)
	}
	rows, err := c.query(`SELECT id, type_id, name, attributes FROM cis WHERE deleted_at IS NULL AND type_id IN (`+placeholders(len(typeIDs))+`) ORDER BY id`, int64Args(typeIDs)...)
	if err != nil {
		return fmt.Errorf("reindex unique values: %w", err)
	}
	type entry struct {
		ci   int64
		name string
		vals []uniqueValue
	}
	var todo []entry
	for rows.Next() {
		var id, typeID int64
		var name, raw string
		if err := rows.Scan(&id, &typeID, &name, &raw); err != nil {
			rows.Close()
			return err
		}
		t, _ := ts.ByID(typeID)
		var attrs map[string]any
		if err := json.Unmarshal([]byte(raw), &attrs); err != nil {
			rows.Close()
			return fmt.Errorf("ci %d: attributes: %w", id, err)
		}
		todo = append(todo, entry{id, name, uniqueValues(t.Schema, cmdb.Restore(t.Schema, attrs))})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	seen := map[uniqueValue]string{}
	for _, e := range todo {
		for _, u := range e.vals {
			if other, dup := seen[u]; dup {
				return &errs.Error{Kind: errs.KindConflict, Code: "duplicate", Field: "attributes",
					Message: fmt.Sprintf("CIs %q and %q have the same %s %q: make the values distinct before making %s unique", other, e.name, u.key, u.value, u.key)}
			}
			seen[u] = e.name
		}
		if err := c.insertUnique(e.ci, e.vals); err != nil {
			return err
		}
	}
	return nil
}

// EnsureDefaultCITypes adds the built-in CI types (cmdb.DefaultTypes) that
// are missing, found by key. Call it after Migrate; it is cheap once the
// types exist, and several processes may call it at once.
func (s *Store) EnsureDefaultCITypes(ctx context.Context) error {
	return s.inTx(ctx, func(c *conn) error {
		list, err := c.typeList()
		if err != nil {
			return err
		}
		for _, d := range cmdb.DefaultTypes() {
			if slices.ContainsFunc(list, func(o cmdb.CIType) bool { return o.Key == d.Key }) {
				continue
			}
			t := d.CIType
			if d.ParentKey != "" {
				pi := slices.IndexFunc(list, func(o cmdb.CIType) bool { return o.Key == d.ParentKey })
				if pi < 0 {
					continue // the parent could not be added either
				}
				t.ParentID = list[pi].ID
			}
			if err := t.Validate(); err != nil {
				return fmt.Errorf("default ci type %s: %w", t.Key, err)
			}
			t.ID, t.CreatedAt, t.UpdatedAt = -1, c.now, c.now
			if _, err := cmdb.NewTypeSet(append(slices.Clone(list), t)); err != nil {
				continue // clashes with what an admin defined: leave theirs alone
			}
			attrs, _ := json.Marshal(t.Attributes)
			id, err := c.insert(`INSERT INTO ci_types (key, name, description, parent_id, attributes, built_in, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, t.Key, t.Name, t.Description, nullID(t.ParentID), string(attrs), true, millis(c.now), millis(c.now))
			if errors.Is(err, sql.ErrNoRows) {
				continue // another process added it a moment ago
			}
			if err != nil {
				return fmt.Errorf("default ci type %s: %w", t.Key, err)
			}
			t.ID = id
			list = append(list, t)
			if err := c.appendEvent("ci_type", id, cmdb.EventTypeCreated, directory.System, t); err != nil {
				return err
			}
		}
		return nil
	})
}
