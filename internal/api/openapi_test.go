package api

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/errs"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

var oaMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// oaLoad decodes the served document.
func oaLoad(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(openAPIJSON(), &doc); err != nil {
		t.Fatalf("the document is not valid JSON: %v", err)
	}
	return doc
}

func oaObj(t *testing.T, v any, what string) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s: got %T, want an object", what, v)
	}
	return m
}

// resolve follows a local "$ref" ("#/components/...") through the document.
func oaResolve(doc map[string]any, ref string) (any, bool) {
	ptr, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, false
	}
	var cur any = doc
	for _, part := range strings.Split(ptr, "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// deref resolves v when it is a {"$ref": ...} object.
func oaDeref(t *testing.T, doc map[string]any, v any) map[string]any {
	t.Helper()
	m := oaObj(t, v, "reference")
	if ref, ok := m["$ref"].(string); ok {
		target, ok := oaResolve(doc, ref)
		if !ok {
			t.Fatalf("$ref %q does not resolve", ref)
		}
		return oaObj(t, target, ref)
	}
	return m
}

// operations calls fn for every operation of the document.
func oaOperationsOf(t *testing.T, doc map[string]any, fn func(path, method string, item, op map[string]any)) {
	t.Helper()
	for path, v := range oaObj(t, doc["paths"], "paths") {
		item := oaObj(t, v, path)
		for _, method := range oaMethods {
			if op, ok := item[method]; ok {
				fn(path, method, item, oaObj(t, op, method+" "+path))
			}
		}
	}
}

func TestOpenAPIDocument(t *testing.T) {
	doc := oaLoad(t)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	info := oaObj(t, doc["info"], "info")
	if info["title"] != "Cairn API" || info["version"] != "1" {
		t.Errorf("info title %v version %v, want Cairn API and 1", info["title"], info["version"])
	}
	desc, _ := info["description"].(string)
	for _, want := range []string{"Authorization: Bearer <token>", "cairn token create --email E", "POST /api/v1/me/tokens",
		"HTTP Basic", "email", auth.SessionCookieInsecure, auth.CSRFHeader} {
		if !strings.Contains(desc, want) {
			t.Errorf("info.description does not mention %q", want)
		}
	}
	servers, _ := doc["servers"].([]any)
	if len(servers) != 1 || oaObj(t, servers[0], "server")["url"] != "/" {
		t.Errorf("servers = %v, want [{url: /}]", doc["servers"])
	}
	if sec, _ := doc["security"].([]any); len(sec) == 0 {
		t.Error("no global security requirement")
	}

	components := oaObj(t, doc["components"], "components")
	schemes := oaObj(t, components["securitySchemes"], "securitySchemes")
	for name, want := range map[string]map[string]string{
		"bearerAuth": {"type": "http", "scheme": "bearer"},
		"basicAuth":  {"type": "http", "scheme": "basic"},
		"cookieAuth": {"type": "apiKey", "in": "cookie", "name": "cairn_session"},
	} {
		s, ok := schemes[name].(map[string]any)
		if !ok {
			t.Errorf("security scheme %s is missing", name)
			continue
		}
		for k, v := range want {
			if s[k] != v {
				t.Errorf("security scheme %s: %s = %v, want %v", name, k, s[k], v)
			}
		}
	}
	for _, sec := range doc["security"].([]any) {
		for name := range oaObj(t, sec, "security requirement") {
			if _, ok := schemes[name]; !ok {
				t.Errorf("global security names unknown scheme %q", name)
			}
		}
	}

	schemas := oaObj(t, components["schemas"], "schemas")
	for _, name := range []string{"Ticket", "TicketPage", "Comment", "Event", "Change", "Link", "Attachment", "Transition",
		"Workflow", "Status", "Service", "RequestType", "Field", "User", "Organization", "Team", "Token", "Error"} {
		s, ok := schemas[name].(map[string]any)
		if !ok {
			t.Errorf("schema %s is missing", name)
			continue
		}
		if s["type"] != "object" || s["properties"] == nil || s["required"] == nil {
			t.Errorf("schema %s needs type object, properties and required", name)
		}
	}
}

// TestOpenAPIEnums checks the enums against the Go values they describe.
func TestOpenAPIEnums(t *testing.T) {
	doc := oaLoad(t)
	schemas := oaObj(t, oaObj(t, doc["components"], "components")["schemas"], "schemas")
	strs := func(vals ...any) []string {
		var out []string
		for _, v := range vals {
			out = append(out, reflect.ValueOf(v).String())
		}
		return out
	}
	anys := func(s any) []any {
		v := reflect.ValueOf(s)
		out := make([]any, v.Len())
		for i := range out {
			out[i] = v.Index(i).Interface()
		}
		return out
	}
	for name, want := range map[string][]string{
		"TicketType":     strs(anys(ticket.Types)...),
		"Priority":       strs(anys(ticket.Priorities)...),
		"Level":          strs(ticket.LevelHigh, ticket.LevelMedium, ticket.LevelLow),
		"StatusCategory": strs(ticket.CategoryToDo, ticket.CategoryInProgress, ticket.CategoryDone),
		"Channel":        strs(ticket.ChannelPortal, ticket.ChannelEmail, ticket.ChannelAPI, ticket.ChannelAgent),
		"Role":           strs(anys(directory.Roles)...),
		"FieldType":      strs(anys(catalog.FieldTypes)...),
		"LinkKind":       strs(ticket.LinkRelates, ticket.LinkCausedBy, ticket.LinkDuplicates, ticket.LinkBlocks),
		"ServiceStatus":  strs(catalog.ServicePipeline, catalog.ServiceLive, catalog.ServiceRetired),
	} {
		s := oaObj(t, schemas[name], name)
		got := strs(s["enum"].([]any)...)
		if !slices.Equal(got, want) {
			t.Errorf("%s enum = %v, want %v", name, got, want)
		}
	}
	for _, v := range ticket.Types {
		if !ticket.ValidType(string(v)) {
			t.Errorf("ticket.Types holds %q, which ValidType refuses", v)
		}
	}
}

// routeSet gives the routes as "METHOD /path" with their least role.
func oaRouteSet() map[string]directory.Role {
	out := map[string]directory.Role{}
	for _, rt := range (&API{}).routes() {
		out[rt.pattern] = rt.role
	}
	return out
}

func TestOpenAPICoversRoutes(t *testing.T) {
	doc := oaLoad(t)
	paths := oaObj(t, doc["paths"], "paths")
	routes := oaRouteSet()
	for pattern, role := range routes {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok {
			t.Errorf("route %q has no method", pattern)
			continue
		}
		item, ok := paths[path].(map[string]any)
		if !ok {
			t.Errorf("route %s: path %s is not documented", pattern, path)
			continue
		}
		op, ok := item[strings.ToLower(method)].(map[string]any)
		if !ok {
			t.Errorf("route %s: method %s is not documented", pattern, method)
			continue
		}
		if op["x-cairn-role"] != string(role) {
			t.Errorf("%s: x-cairn-role = %v, want %s", pattern, op["x-cairn-role"], role)
		}
		if d, _ := op["description"].(string); !strings.Contains(d, "Least role: `"+string(role)+"`") {
			t.Errorf("%s: the description does not state the least role %s", pattern, role)
		}
		if _, ok := op["security"]; ok {
			t.Errorf("%s: a guarded operation must use the global security", pattern)
		}
	}
	oaOperationsOf(t, doc, func(path, method string, item, op map[string]any) {
		pattern := strings.ToUpper(method) + " " + path
		if !strings.HasPrefix(path, "/api/v1/") {
			if sec, ok := op["security"].([]any); !ok || len(sec) != 0 {
				t.Errorf("%s is served outside the API and must have security: []", pattern)
			}
			return
		}
		if pattern == "GET "+openAPIPath {
			if sec, ok := op["security"].([]any); !ok || len(sec) != 0 {
				t.Errorf("%s is served without the guard and must have security: []", pattern)
			}
			return
		}
		if _, ok := routes[pattern]; !ok {
			t.Errorf("%s is documented but not in routes()", pattern)
		}
	})
	for _, p := range []string{openAPIPath, "/healthz", "/readyz", "/metrics"} {
		if _, ok := oaObj(t, paths[p], p)["get"]; !ok {
			t.Errorf("GET %s is not documented", p)
		}
	}
}

func TestOpenAPIOperations(t *testing.T) {
	doc := oaLoad(t)
	tags := map[string]bool{}
	for _, tg := range doc["tags"].([]any) {
		tags[oaObj(t, tg, "tag")["name"].(string)] = true
	}
	ids := map[string]string{}
	oaOperationsOf(t, doc, func(path, method string, item, op map[string]any) {
		pattern := strings.ToUpper(method) + " " + path
		id, _ := op["operationId"].(string)
		if id == "" {
			t.Errorf("%s has no operationId", pattern)
		} else if other, dup := ids[id]; dup {
			t.Errorf("operationId %q is used by %s and %s", id, other, pattern)
		}
		ids[id] = pattern
		if s, _ := op["summary"].(string); s == "" {
			t.Errorf("%s has no summary", pattern)
		}
		opTags, _ := op["tags"].([]any)
		if len(opTags) == 0 {
			t.Errorf("%s has no tags", pattern)
		}
		for _, tg := range opTags {
			if !tags[tg.(string)] {
				t.Errorf("%s: tag %v is not declared", pattern, tg)
			}
		}
		responses := oaObj(t, op["responses"], pattern+" responses")
		success := 0
		for code := range responses {
			n, err := strconv.Atoi(code)
			if err != nil {
				t.Errorf("%s: response %q is not a status code", pattern, code)
				continue
			}
			if n >= 200 && n < 300 {
				success++
			}
		}
		if success != 1 {
			t.Errorf("%s: %d success responses, want exactly 1", pattern, success)
		}
		if r, ok := responses["204"]; ok {
			if _, has := oaObj(t, r, "204")["content"]; has {
				t.Errorf("%s: a 204 answer has no content", pattern)
			}
		}
		if body, ok := op["requestBody"]; ok {
			if method == "get" || method == "delete" {
				t.Errorf("%s: a %s takes no body", pattern, method)
			}
			content := oaObj(t, oaDeref(t, doc, body)["content"], pattern+" requestBody content")
			if len(content) == 0 {
				t.Errorf("%s: the request body has no content", pattern)
			}
		}
	})
}

// TestOpenAPISuccessStatus checks the success status of each operation by
// what its handler writes, read from the handler's source.
func TestOpenAPISuccessStatus(t *testing.T) {
	doc := oaLoad(t)
	paths := oaObj(t, doc["paths"], "paths")
	written := oaHandlerStatuses(t)
	for _, rt := range (&API{}).routes() {
		name := oaHandlerName(rt.handler)
		want, ok := written[name]
		if !ok {
			t.Errorf("%s: cannot find what handler %s writes", rt.pattern, name)
			continue
		}
		method, path, _ := strings.Cut(rt.pattern, " ")
		op, ok := oaObj(t, paths[path], path)[strings.ToLower(method)].(map[string]any)
		if !ok {
			continue // reported by TestOpenAPICoversRoutes
		}
		if _, ok := oaObj(t, op["responses"], "responses")[strconv.Itoa(want)]; !ok {
			t.Errorf("%s: handler %s answers %d, which is not documented", rt.pattern, name, want)
		}
	}
}

// runtimeName gives the method name of a handler method value.
func oaHandlerName(h handlerFunc) string {
	full := runtime.FuncForPC(reflect.ValueOf(h).Pointer()).Name()
	full = strings.TrimSuffix(full, "-fm")
	return full[strings.LastIndex(full, ".")+1:]
}

// handlerStatuses reads the handlers' source and gives, for each method of
// *API, the success status it writes: the http.Status constant passed to
// writeJSON or WriteHeader, and 200 for a plain w.Write.
func oaHandlerStatuses(t *testing.T) map[string]int {
	t.Helper()
	fset := token.NewFileSet()
	out := map[string]int{}
	for _, file := range []string{"tickets.go", "catalog.go", "people.go", "practices_incidents.go", "queues.go", "sla.go", "changes.go", "cmdb.go"} {
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || fn.Body == nil {
				continue
			}
			status := 0
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				var arg ast.Expr
				switch fun := call.Fun.(type) {
				case *ast.Ident:
					if fun.Name == "writeJSON" && len(call.Args) >= 2 {
						arg = call.Args[1]
					}
				case *ast.SelectorExpr:
					if fun.Sel.Name == "WriteHeader" && len(call.Args) == 1 {
						arg = call.Args[0]
					}
					if fun.Sel.Name == "Write" && status == 0 {
						status = http.StatusOK
					}
				}
				if sel, ok := arg.(*ast.SelectorExpr); ok {
					if code, ok := oaStatusConstants[sel.Sel.Name]; ok {
						status = code
					}
				}
				return true
			})
			if status != 0 {
				out[fn.Name.Name] = status
			}
		}
	}
	return out
}

var oaStatusConstants = map[string]int{
	"StatusOK": http.StatusOK, "StatusCreated": http.StatusCreated, "StatusNoContent": http.StatusNoContent,
}

func TestOpenAPIRefsResolve(t *testing.T) {
	doc := oaLoad(t)
	count := 0
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"]; ok {
				s, _ := ref.(string)
				if !strings.HasPrefix(s, "#/components/") {
					t.Errorf("%s: $ref %v does not point into components", at, ref)
				} else if _, ok := oaResolve(doc, s); !ok {
					t.Errorf("%s: $ref %s does not resolve", at, s)
				}
				count++
			}
			for k, e := range x {
				walk(e, at+"/"+k)
			}
		case []any:
			for i, e := range x {
				walk(e, at+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(doc, "#")
	if count == 0 {
		t.Error("the document has no $ref at all")
	}
}

var oaTemplateParam = regexp.MustCompile(`\{([^}]+)\}`)

func TestOpenAPIPathParameters(t *testing.T) {
	doc := oaLoad(t)
	oaOperationsOf(t, doc, func(path, method string, item, op map[string]any) {
		pattern := strings.ToUpper(method) + " " + path
		var want []string
		for _, m := range oaTemplateParam.FindAllStringSubmatch(path, -1) {
			want = append(want, m[1])
		}
		var params []any
		if p, ok := item["parameters"].([]any); ok {
			params = append(params, p...)
		}
		if p, ok := op["parameters"].([]any); ok {
			params = append(params, p...)
		}
		var got []string
		seen := map[string]bool{}
		for _, p := range params {
			pm := oaDeref(t, doc, p)
			name, _ := pm["name"].(string)
			in, _ := pm["in"].(string)
			if name == "" || in == "" || pm["schema"] == nil {
				t.Errorf("%s: parameter %v needs name, in and schema", pattern, pm)
			}
			if seen[in+" "+name] {
				t.Errorf("%s: parameter %s in %s is declared twice", pattern, name, in)
			}
			seen[in+" "+name] = true
			if in == "path" {
				got = append(got, name)
				if pm["required"] != true {
					t.Errorf("%s: path parameter %s must be required", pattern, name)
				}
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: path parameters declared %v, template has %v", pattern, got, want)
		}
	})
}

// TestOpenAPIErrorResponses checks that API errors use the Error schema and
// that the guard's answers are documented where they can happen.
func TestOpenAPIErrorResponses(t *testing.T) {
	doc := oaLoad(t)
	allowed := map[string]bool{"400": true, "401": true, "403": true, "404": true, "409": true, "413": true, "422": true}
	routes := oaRouteSet()
	oaOperationsOf(t, doc, func(path, method string, item, op map[string]any) {
		pattern := strings.ToUpper(method) + " " + path
		responses := oaObj(t, op["responses"], pattern)
		if !strings.HasPrefix(path, "/api/") {
			return
		}
		for code, r := range responses {
			if code[0] != '4' && code[0] != '5' {
				continue
			}
			if !allowed[code] {
				t.Errorf("%s: unexpected error status %s", pattern, code)
			}
			res := oaDeref(t, doc, r)
			content, _ := res["content"].(map[string]any)
			js, _ := content["application/json"].(map[string]any)
			schema, _ := js["schema"].(map[string]any)
			if schema["$ref"] != "#/components/schemas/Error" {
				t.Errorf("%s %s: the answer does not use the Error schema", pattern, code)
			}
			if d, _ := res["description"].(string); d == "" {
				t.Errorf("%s %s: no description", pattern, code)
			}
		}
		role, guarded := routes[pattern]
		if !guarded {
			return
		}
		want := []string{"401"}
		if role != directory.RoleCustomer || method != "get" {
			want = append(want, "403") // too weak a role, or a session write without CSRF
		}
		if strings.Contains(path, "{") {
			want = append(want, "404")
		}
		if _, ok := op["requestBody"]; ok {
			want = append(want, "400", "413")
		}
		for _, code := range want {
			if _, ok := responses[code]; !ok {
				t.Errorf("%s: error %s is not documented", pattern, code)
			}
		}
	})
}

type oaJSONField struct {
	name      string
	omitempty bool
}

func oaJSONFields(typ reflect.Type) []oaJSONField {
	var out []oaJSONField
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		out = append(out, oaJSONField{name, slices.Contains(strings.Split(opts, ","), "omitempty")})
	}
	return out
}

func oaPropertyNames(t *testing.T, schema map[string]any) []string {
	t.Helper()
	var names []string
	for k := range oaObj(t, schema["properties"], "properties") {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

func oaStrings(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, e := range list {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}

// TestOpenAPISchemasMatchGoTypes checks each resource schema against the
// JSON shape of its Go type: the same properties, and required naming only
// properties that are always there (no omitempty).
func TestOpenAPISchemasMatchGoTypes(t *testing.T) {
	doc := oaLoad(t)
	schemas := oaObj(t, oaObj(t, doc["components"], "components")["schemas"], "schemas")
	// Always present in answers but optional in request bodies, which share
	// the schema.
	optionalOnInput := map[string]bool{"Field.required": true, "Transition.from": true}
	for name, v := range map[string]any{
		"Ticket": ticket.Ticket{}, "TicketPage": store.TicketPage{}, "Comment": ticket.Comment{}, "Event": ticket.Event{},
		"Change": ticket.Change{}, "Link": ticket.Link{}, "Attachment": ticket.Attachment{}, "Transition": ticket.Transition{},
		"Workflow": ticket.Workflow{}, "Status": ticket.Status{}, "Service": catalog.Service{}, "RequestType": catalog.RequestType{},
		"Field": catalog.Field{}, "User": directory.User{}, "Organization": directory.Organization{}, "Team": directory.Team{},
		"Token": store.Token{}, "Error": errorBody{},
	} {
		schema := oaObj(t, schemas[name], name)
		fields := oaJSONFields(reflect.TypeOf(v))
		var want []string
		always := map[string]bool{}
		for _, f := range fields {
			want = append(want, f.name)
			if !f.omitempty {
				always[f.name] = true
			}
		}
		slices.Sort(want)
		if got := oaPropertyNames(t, schema); !slices.Equal(got, want) {
			t.Errorf("schema %s has properties %v, the Go type %v", name, got, want)
		}
		required := oaStrings(schema["required"])
		for _, r := range required {
			if !always[r] {
				t.Errorf("schema %s requires %s, which the Go type may leave out", name, r)
			}
		}
		for f := range always {
			if !slices.Contains(required, f) && !optionalOnInput[name+"."+f] {
				t.Errorf("schema %s: %s is always present but not required", name, f)
			}
		}
	}
	errProp := oaObj(t, oaObj(t, schemas["Error"], "Error")["properties"], "Error properties")["error"]
	inner := oaObj(t, errProp, "Error.error")
	if got := oaPropertyNames(t, inner); !slices.Equal(got, []string{"code", "field", "message"}) {
		t.Errorf("Error.error has properties %v, want code, field, message", got)
	}
}

// TestOpenAPIRequestBodiesMatchGoTypes checks the documented JSON bodies
// against the structs the handlers decode into.
func TestOpenAPIRequestBodiesMatchGoTypes(t *testing.T) {
	doc := oaLoad(t)
	paths := oaObj(t, doc["paths"], "paths")
	for pattern, v := range map[string]any{
		"POST /api/v1/tickets":           createTicketBody{},
		"PATCH /api/v1/tickets/{key}":    updateTicketBody{},
		"POST /api/v1/services":          serviceBody{},
		"PUT /api/v1/services/{id}":      serviceBody{},
		"POST /api/v1/request-types":     requestTypeBody{},
		"PUT /api/v1/request-types/{id}": requestTypeBody{},
		"PUT /api/v1/workflows/{id}":     ticket.Workflow{},
	} {
		method, path, _ := strings.Cut(pattern, " ")
		op := oaObj(t, oaObj(t, paths[path], path)[strings.ToLower(method)], pattern)
		body := oaDeref(t, doc, op["requestBody"])
		schema := oaObj(t, oaObj(t, oaObj(t, body["content"], "content")["application/json"], "json")["schema"], "schema")
		if schema["additionalProperties"] != false {
			t.Errorf("%s: the body refuses unknown fields; say additionalProperties: false", pattern)
		}
		var want []string
		for _, f := range oaJSONFields(reflect.TypeOf(v)) {
			want = append(want, f.name)
		}
		slices.Sort(want)
		if got := oaPropertyNames(t, schema); !slices.Equal(got, want) {
			t.Errorf("%s: body properties %v, the handler decodes %v", pattern, got, want)
		}
	}
	// Every JSON body refuses unknown fields, as decode does.
	oaOperationsOf(t, doc, func(path, method string, item, op map[string]any) {
		body, ok := op["requestBody"]
		if !ok {
			return
		}
		content := oaObj(t, oaDeref(t, doc, body)["content"], "content")
		if js, ok := content["application/json"].(map[string]any); ok {
			if oaObj(t, js["schema"], "schema")["additionalProperties"] != false {
				t.Errorf("%s %s: the JSON body must say additionalProperties: false", method, path)
			}
		}
	})
}

func TestOpenAPIAttachmentUpload(t *testing.T) {
	doc := oaLoad(t)
	op := oaObj(t, oaObj(t, oaObj(t, doc["paths"], "paths")["/api/v1/tickets/{key}/attachments"], "attachments")["post"], "post")
	content := oaObj(t, oaObj(t, op["requestBody"], "requestBody")["content"], "content")
	mp := oaObj(t, content["multipart/form-data"], "multipart/form-data")
	schema := oaObj(t, mp["schema"], "schema")
	file := oaObj(t, oaObj(t, schema["properties"], "properties")["file"], "file")
	if file["type"] != "string" || file["format"] != "binary" {
		t.Errorf("the file part is %v, want a binary string", file)
	}
	if !slices.Contains(oaStrings(schema["required"]), "file") {
		t.Error("the file part must be required")
	}
}

// TestOpenAPITicketFilters checks the listing's query parameters against
// the handler: the names passed to knownParams in listTickets, and a call.
func TestOpenAPITicketFilters(t *testing.T) {
	doc := oaLoad(t)
	op := oaObj(t, oaObj(t, oaObj(t, doc["paths"], "paths")["/api/v1/tickets"], "tickets")["get"], "get")
	var documented []string
	for _, p := range op["parameters"].([]any) {
		pm := oaDeref(t, doc, p)
		if pm["in"] == "query" {
			documented = append(documented, pm["name"].(string))
		}
	}
	slices.Sort(documented)

	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "tickets.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var known []string
	ast.Inspect(f, func(n ast.Node) bool {
		fn, ok := n.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "listTickets" {
			return true
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "knownParams" {
				for _, a := range call.Args[1:] {
					if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						s, _ := strconv.Unquote(lit.Value)
						known = append(known, s)
					}
				}
			}
			return true
		})
		return false
	})
	slices.Sort(known)
	if len(known) == 0 {
		t.Fatal("found no knownParams call in listTickets")
	}
	if !slices.Equal(documented, known) {
		t.Errorf("documented filters %v, listTickets knows %v", documented, known)
	}

	// All documented filters at once pass knownParams; the bad category
	// then fails before the store is used.
	q := url.Values{}
	for _, name := range documented {
		q.Set(name, "x")
	}
	r := httptest.NewRequest(http.MethodGet, "/api/v1/tickets?"+q.Encode(), nil)
	err = (&API{}).listTickets(httptest.NewRecorder(), r, auth.Identity{})
	if e, ok := errs.As(err); !ok || e.Field != "category" || e.Kind != errs.KindInvalid {
		t.Errorf("listTickets with every documented filter: %v, want invalid category", err)
	}
}

func TestServeOpenAPI(t *testing.T) {
	api := New(nil, &auth.Authenticator{}, slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(api)
	defer srv.Close()

	// No credentials: the document is served outside the guard.
	res, err := http.Get(srv.URL + openAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200", openAPIPath, res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("the served body is not JSON: %v", err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Errorf("served openapi = %v", doc["openapi"])
	}
	if string(body) != string(openAPIJSON()) {
		t.Error("the served body differs from the built document")
	}

	// A guarded endpoint without credentials answers 401 in the documented shape.
	res, err = http.Get(srv.URL + "/api/v1/me")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var e errorBody
	if err := json.NewDecoder(res.Body).Decode(&e); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusUnauthorized || e.Error.Code != "unauthorized" || res.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("GET /api/v1/me without credentials: %d %+v, want 401 unauthorized with WWW-Authenticate", res.StatusCode, e)
	}
}
