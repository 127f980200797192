package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps prepared statements on SQLite's one write connection.
// Compiling a statement was a fifth of the CPU time of creating a ticket;
// a statement prepared once is reused by every later transaction, since
// they all run on that connection.
//
// A statement cannot be prepared inside a transaction on a pool of one
// connection (the prepare would wait for the connection the transaction
// holds), so a transaction notes the statements the cache lacks and they
// are prepared after it commits. Queries built with a varying number of
// arguments would fill the cache without end: it stops growing at
// maxCachedStmts, and such queries simply run unprepared. Only exec and
// row use it: their statement is done with before the next one runs.
type stmtCache struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
	full  bool
}

const maxCachedStmts = 400

// prepared gives the cached statement for query in c's transaction, or nil
// when c is not a SQLite write transaction or the cache lacks it (then it
// is noted, to be prepared after the commit).
func (c *conn) prepared(query string) *sql.Stmt {
	if c.tx == nil || c.s.engine != SQLite {
		return nil
	}
	if st, ok := c.txStmts[query]; ok {
		return st
	}
	cache := &c.s.stmts
	cache.mu.Lock()
	st, ok := cache.stmts[query]
	full := cache.full
	cache.mu.Unlock()
	if !ok {
		if !full && len(c.unprepared) < maxCachedStmts {
			c.unprepared = append(c.unprepared, query)
		}
		return nil
	}
	if c.txStmts == nil {
		c.txStmts = map[string]*sql.Stmt{}
	}
	st = c.tx.StmtContext(c.ctx, st)
	c.txStmts[query] = st
	return st
}

// prepare adds queries to the cache. A query that fails to prepare (a
// script of several statements, say) is left out; it ran unprepared.
func (sc *stmtCache) prepare(ctx context.Context, db *sql.DB, queries []string) {
	for _, q := range queries {
		sc.mu.Lock()
		_, have := sc.stmts[q]
		full := sc.full
		sc.mu.Unlock()
		if have || full {
			continue
		}
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		sc.mu.Lock()
		if _, have := sc.stmts[q]; have || sc.full {
			st.Close()
		} else {
			if sc.stmts == nil {
				sc.stmts = map[string]*sql.Stmt{}
			}
			sc.stmts[q] = st
			sc.full = len(sc.stmts) >= maxCachedStmts
		}
		sc.mu.Unlock()
	}
}

func (sc *stmtCache) close() {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	for _, st := range sc.stmts {
		st.Close()
	}
	sc.stmts, sc.full = nil, true
}
