package store

// Benchmarks of the CMDB at the scale of a large estate: 100 000 CIs and
// about 540 000 relationships. Run them with
//
//	go test ./internal/store -run '^$' -bench CMDBImpact -benchtime 100x -v
//	go test ./internal/store -run '^$' -bench CMDBImport -benchtime 1x -v
//	go test ./internal/store -run '^$' -bench CMDBQuery -benchtime 20x -v
//
// and, for PostgreSQL as well, with CAIRN_TEST_POSTGRES set. Building the
// estate for the impact benchmark takes about a minute per engine.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/directory"
)

// benchEngines gives the engines to benchmark: SQLite, and PostgreSQL when
// CAIRN_TEST_POSTGRES is set.
func benchEngines() []Engine {
	out := []Engine{SQLite}
	if os.Getenv("CAIRN_TEST_POSTGRES") != "" {
		out = append(out, Postgres)
	}
	return out
}

// openBench opens an empty, migrated store with the default CI types: a
// SQLite file in dir, or a new schema of the PostgreSQL test database.
func openBench(tb testing.TB, engine Engine, dir string) (*Store, func()) {
	tb.Helper()
	ctx := context.Background()
	var s *Store
	var err error
	cleanup := func() {}
	switch engine {
	case SQLite:
		s, err = Open(ctx, "sqlite:"+filepath.Join(dir, "cmdb.db"))
	case Postgres:
		base := os.Getenv("CAIRN_TEST_POSTGRES")
		b := make([]byte, 6)
		rand.Read(b)
		schema := "bench_" + hex.EncodeToString(b)
		admin, aerr := sql.Open("pgx", base)
		if aerr != nil {
			tb.Fatal(aerr)
		}
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			tb.Fatal(err)
		}
		u, _ := url.Parse(base)
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		s, err = Open(ctx, u.String())
		cleanup = func() {
			admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			admin.Close()
		}
	}
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	if err := s.EnsureDefaultCITypes(ctx); err != nil {
		tb.Fatal(err)
	}
	return s, func() { s.Close(); cleanup() }
}

// estate is a generated CMDB: the import rows of its CIs and its
// relationships, as indexes into the rows.
type estate struct {
	rows     []cmdb.Record
	rels     []benchRel
	servers  []int // indexes of the physical servers
	vms      []int // of the virtual machines
	core     []int // the core switches every server depends on
	business []int // business services
}

type benchRel struct {
	from, to int
	kind     cmdb.RelKind
}

// genEstate builds n CIs in the proportions of a large company's estate
// (n = 100 000: 200 business services, 2 000 applications, 3 000
// databases, 20 000 virtual machines, 5 000 servers, 800 network devices,
// 60 000 laptops, 9 000 mobile devices) and about 5n relationships:
// business services depend on applications; applications, in four tiers,
// depend on applications of the tiers below (and a few on the tiers above,
// making cycles), on databases, and run on virtual machines; databases run
// on virtual machines, virtual machines on servers; servers depend on two
// core switches and on their access switches and connect to other
// servers; laptops and phones depend on an access point and on the
// applications people use.
func genEstate(n int, seed uint64) *estate {
	rng := mrand.New(mrand.NewPCG(seed, 7))
	e := &estate{}
	scale := func(k int) int { return max(1, k*n/100_000) }
	add := func(typ, name string, attrs map[string]any) int {
		e.rows = append(e.rows, cmdb.Record{Row: len(e.rows) + 1, Type: typ, Name: name, Attributes: attrs})
		return len(e.rows) - 1
	}
	envs := []string{"production", "staging", "test", "development"}
	ip := func(i int) string { return fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255) }
	group := func(typ, prefix string, k int, attrs func(i int) map[string]any) []int {
		out := make([]int, k)
		for i := range k {
			out[i] = add(typ, fmt.Sprintf("%s-%05d", prefix, i), attrs(i))
		}
		return out
	}
	none := func(int) map[string]any { return map[string]any{} }
	e.business = group("business_service", "bs", scale(200), none)
	apps := group("application", "app", scale(2000), func(i int) map[string]any {
		return map[string]any{"environment": envs[i%4], "version": fmt.Sprintf("%d.%d", i%7, i%13)}
	})
	dbs := group("database", "db", scale(3000), func(i int) map[string]any {
		return map[string]any{"engine": "PostgreSQL", "environment": envs[i%4], "port": 5432.0}
	})
	e.vms = group("virtual_machine", "vm", scale(20000), func(i int) map[string]any {
		return map[string]any{"hostname": fmt.Sprintf("vm-%05d.example.com", i), "ip_address": ip(i), "environment": envs[i%4]}
	})
	e.servers = group("linux_server", "srv", scale(5000), func(i int) map[string]any {
		return map[string]any{"hostname": fmt.Sprintf("srv-%05d.example.com", i), "serial_number": fmt.Sprintf("SRV%07d", i),
			"ip_address": ip(1<<20 + i), "cpu_cores": float64(int(8) << (i % 4))}
	})
	nets := group("network_device", "net", scale(800), func(i int) map[string]any {
		return map[string]any{"serial_number": fmt.Sprintf("NET%07d", i), "device_role": []string{"switch", "router", "access point", "firewall"}[i%4]}
	})
	laptops := group("laptop", "lt", scale(60000), func(i int) map[string]any {
		return map[string]any{"serial_number": fmt.Sprintf("LT%08d", i), "hostname": fmt.Sprintf("lt-%05d", i), "model": "X1"}
	})
	phones := group("mobile_device", "mob", n-len(e.rows)-0, func(i int) map[string]any {
		return map[string]any{"imei": fmt.Sprintf("35%013d", i), "operating_system": "iOS"}
	})
	e.core = nets[:2]
	access := nets[2:]
	rel := func(from, to int, k cmdb.RelKind) { e.rels = append(e.rels, benchRel{from, to, k}) }
	pick := func(list []int) int { return list[rng.IntN(len(list))] }
	tier := func(t int) []int { q := len(apps) / 4; return apps[t*q : (t+1)*q] }
	userApps := tier(0)[:max(1, len(tier(0))/5)]
	for _, bs := range e.business {
		for range 5 + rng.IntN(11) {
			rel(bs, pick(tier(0)), cmdb.RelDependsOn)
		}
	}
	for i, a := range apps {
		t := min(i/(len(apps)/4), 3)
		if t < 3 {
			for range 1 + rng.IntN(3) {
				rel(a, pick(tier(t+1)), cmdb.RelDependsOn)
			}
		}
		if t > 0 && rng.IntN(20) == 0 {
			rel(a, pick(tier(t-1)), cmdb.RelDependsOn) // a cycle
		}
		for range 1 + rng.IntN(3) {
			rel(a, pick(dbs), cmdb.RelDependsOn)
		}
		for range 2 + rng.IntN(4) {
			rel(a, pick(e.vms), cmdb.RelRunsOn)
		}
	}
	for _, d := range dbs {
		for range 1 + rng.IntN(2) {
			rel(d, pick(e.vms), cmdb.RelRunsOn)
		}
	}
	for _, v := range e.vms {
		rel(v, pick(e.servers), cmdb.RelRunsOn)
		rel(v, pick(e.vms), cmdb.RelConnectsTo)
	}
	for _, s := range e.servers {
		for _, c := range e.core {
			rel(s, c, cmdb.RelDependsOn)
		}
		rel(s, pick(access), cmdb.RelDependsOn)
		for range 4 {
			rel(s, pick(e.servers), cmdb.RelConnectsTo)
		}
	}
	for _, a := range access {
		rel(a, pick(e.core), cmdb.RelConnectsTo)
		rel(a, pick(access), cmdb.RelConnectsTo)
	}
	for _, l := range laptops {
		rel(l, pick(access), cmdb.RelDependsOn)
		rel(l, pick(access), cmdb.RelConnectsTo)
		rel(l, pick(laptops), cmdb.RelConnectsTo)
		for range 3 {
			rel(l, pick(userApps), cmdb.RelDependsOn)
		}
		rel(l, pick(e.business), cmdb.RelOwnedBy)
	}
	for _, p := range phones {
		rel(p, pick(access), cmdb.RelDependsOn)
		for range 2 {
			rel(p, pick(userApps), cmdb.RelDependsOn)
		}
	}
	return e
}

// load imports the estate's CIs and inserts its relationships, giving the
// id of each row's CI.
func (e *estate) load(tb testing.TB, s *Store) []int64 {
	tb.Helper()
	ctx := context.Background()
	rep, err := s.ImportCIs(ctx, directory.System, e.rows, ImportOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	if rep.Failed > 0 {
		for _, r := range rep.Rows {
			if r.Error != nil {
				tb.Fatalf("row %d: %+v", r.Row, r.Error)
			}
		}
	}
	ids := make([]int64, len(rep.Rows))
	for i, r := range rep.Rows {
		ids[i] = r.CIID
	}
	// Relationships in bulk: the same rows AddRelationship writes, without
	// its events, which impact analysis does not read.
	type relKey struct {
		src, dst int64
		kind     cmdb.RelKind
	}
	seen := map[relKey]bool{}
	err = s.inTx(ctx, func(c *conn) error {
		const per = 400
		var args []any
		flush := func() error {
			if len(args) == 0 {
				return nil
			}
			k := len(args) / 4
			_, err := c.exec(`INSERT INTO ci_relationships (source_id, target_id, kind, created_at) VALUES `+
				strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", k), ", "), args...)
			args = args[:0]
			return err
		}
		for _, r := range e.rels {
			src, dst := ids[r.from], ids[r.to]
			if r.kind.Symmetric() && dst < src {
				src, dst = dst, src
			}
			key := relKey{src, dst, r.kind}
			if src == dst || seen[key] {
				continue
			}
			seen[key] = true
			args = append(args, src, dst, string(r.kind), millis(c.now))
			if len(args) == 4*per {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		return c.bumpGraph()
	})
	if err != nil {
		tb.Fatal(err)
	}
	// 50 catalogue services, each built on a few business services and
	// used by a few of 20 customer organizations.
	var orgs []int64
	for i := range 20 {
		o, err := s.CreateOrganization(ctx, directory.System, fmt.Sprintf("Customer %02d", i))
		if err != nil {
			tb.Fatal(err)
		}
		orgs = append(orgs, o.ID)
	}
	for i := range 50 {
		svc, err := s.CreateService(ctx, directory.System, catalog.Service{Name: fmt.Sprintf("Service %02d", i), Status: catalog.ServiceLive})
		if err != nil {
			tb.Fatal(err)
		}
		for j := range 3 {
			bs := e.business[(i*7+j*13)%len(e.business)]
			if _, err := s.LinkServiceCI(ctx, directory.System, svc.ID, ids[bs]); err != nil {
				tb.Fatal(err)
			}
		}
		if err := s.SetServiceOrganizations(ctx, directory.System, svc.ID, []int64{orgs[i%20], orgs[(i+3)%20], orgs[(i+11)%20]}); err != nil {
			tb.Fatal(err)
		}
	}
	return ids
}

// loadedEstate builds the estate of 100 000 CIs in a new store, closed
// when b ends.
func loadedEstate(b *testing.B, engine Engine) (*Store, *estate, []int64) {
	s, closeFn := openBench(b, engine, b.TempDir())
	b.Cleanup(closeFn)
	start := time.Now()
	e := genEstate(100_000, 1)
	ids := e.load(b, s)
	var nrel int
	if err := s.read.QueryRow(`SELECT COUNT(*) FROM ci_relationships`).Scan(&nrel); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: built %d CIs and %d relationships in %s", engine, len(e.rows), nrel, time.Since(start).Round(time.Millisecond))
	if _, err := s.write.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
	return s, e, ids
}

// BenchmarkCMDBImpact times a full upstream analysis (no depth limit) from
// typical CIs, and from the worst CI of the estate: a core switch that
// every server depends on, upstream of which is nearly everything.
func BenchmarkCMDBImpact(b *testing.B) {
	for _, engine := range benchEngines() {
		b.Run(string(engine), func(b *testing.B) {
			s, e, ids := loadedEstate(b, engine)
			ctx := context.Background()
			run := func(name string, starts func(i int) []int64, q ImpactQuery) {
				b.Run(name, func(b *testing.B) {
					var reached, svcs, orgs int
					i := 0
					for b.Loop() {
						q.CIIDs = starts(i)
						i++
						imp, err := s.Impact(ctx, q)
						if err != nil {
							b.Fatal(err)
						}
						reached += imp.TotalCIs
						svcs += len(imp.Services)
						orgs += len(imp.Organizations)
					}
					b.ReportMetric(float64(reached)/float64(i), "cis/op")
					b.ReportMetric(float64(svcs)/float64(i), "services/op")
					b.ReportMetric(float64(orgs)/float64(i), "orgs/op")
				})
			}
			server := func(i int) []int64 { return []int64{ids[e.servers[(i*37)%len(e.servers)]]} }
			vm := func(i int) []int64 { return []int64{ids[e.vms[(i*101)%len(e.vms)]]} }
			core := func(int) []int64 { return []int64{ids[e.core[0]]} }
			bs := func(i int) []int64 { return []int64{ids[e.business[i%len(e.business)]]} }
			run("upstream/server", server, ImpactQuery{Direction: cmdb.Upstream})
			run("upstream/vm", vm, ImpactQuery{Direction: cmdb.Upstream})
			run("upstream/server/depth3", server, ImpactQuery{Direction: cmdb.Upstream, Depth: 3})
			run("downstream/business_service", bs, ImpactQuery{Direction: cmdb.Downstream})
			run("upstream/core_switch", core, ImpactQuery{Direction: cmdb.Upstream})
		})
	}
}

// BenchmarkCMDBQuery times listings of CIs chosen by a query (the count
// of all matches and the first page of 50, as the API answers): by type,
// status and attributes, and by relationship functions, up to dependsOn
// of a core switch, which nearly every CI depends on.
func BenchmarkCMDBQuery(b *testing.B) {
	for _, engine := range benchEngines() {
		b.Run(string(engine), func(b *testing.B) {
			s, _, _ := loadedEstate(b, engine)
			ctx := context.Background()
			// genEstate names CIs <prefix>-<index>: net-00000 is a core
			// switch, net-00100 an access switch.
			for _, q := range []struct{ name, query string }{
				{"type_status_attribute", `type = Server AND status = live AND "Host name" ~ "srv-012"`},
				{"select_and_ip", `type = "Virtual machine" AND "Environment" = production AND "IP address" ~ "10.0.1"`},
				{"unique_attribute", `"Serial number" = LT00012345`},
				{"number_sorted", `"CPU cores" >= 32 ORDER BY "Host name" DESC`},
				{"dependsOn_database", `dependsOn("db-00042") AND criticality >= medium`},
				{"runsOn_server", `runsOn("srv-00007")`},
				{"dependsOn_access_switch", `dependsOn("net-00100")`},
				{"dependsOn_core_switch", `dependsOn("net-00000")`},
				{"core_switch_and_type", `type = Laptop AND dependsOn("net-00000") AND name ~ "lt-0001"`},
			} {
				b.Run(q.name, func(b *testing.B) {
					// The first relationship function reads the impact
					// graph into memory (once per change of relationships).
					page, err := s.CIs(ctx, CIFilter{Query: q.query})
					if err != nil {
						b.Fatal(err)
					}
					total := page.Total
					for b.Loop() {
						page, err := s.CIs(ctx, CIFilter{Query: q.query})
						if err != nil {
							b.Fatal(err)
						}
						total = page.Total
					}
					b.ReportMetric(float64(total), "matches")
					b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/query")
				})
			}
		})
	}
}

// BenchmarkCMDBImport times importing 100 000 CIs into an empty CMDB, and
// the same file again (every row unchanged). Run it with -benchtime 1x.
func BenchmarkCMDBImport(b *testing.B) {
	e := genEstate(100_000, 2)
	for _, engine := range benchEngines() {
		b.Run(string(engine), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				s, closeFn := openBench(b, engine, b.TempDir())
				b.StartTimer()
				start := time.Now()
				rep, err := s.ImportCIs(context.Background(), directory.System, e.rows, ImportOptions{})
				if err != nil || rep.Created != len(e.rows) {
					b.Fatalf("import: %v, %d created of %d", err, rep.Created, len(e.rows))
				}
				first := time.Since(start)
				start = time.Now()
				rep, err = s.ImportCIs(context.Background(), directory.System, e.rows, ImportOptions{})
				if err != nil || rep.Unchanged != len(e.rows) {
					b.Fatalf("again: %v, %d unchanged of %d", err, rep.Unchanged, len(e.rows))
				}
				b.StopTimer()
				b.Logf("%s: 100 000 CIs imported in %s; the same rows again, all unchanged, in %s", engine, first.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
				closeFn()
				b.StartTimer()
			}
		})
	}
}
