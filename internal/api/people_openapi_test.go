package api

import (
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"slices"
	"strconv"
	"testing"
)

// TestPeopleOpenAPIBody checks the documented body of PATCH /api/v1/users/{id}
// against the struct the handler decodes, and the listing's query
// parameters against the handler's.
func TestPeopleOpenAPIBody(t *testing.T) {
	doc := oaLoad(t)
	paths := oaObj(t, doc["paths"], "paths")
	op := oaObj(t, oaObj(t, paths["/api/v1/users/{id}"], "/api/v1/users/{id}")["patch"], "PATCH /api/v1/users/{id}")
	body := oaDeref(t, doc, op["requestBody"])
	schema := oaObj(t, oaObj(t, oaObj(t, body["content"], "content")["application/json"], "json")["schema"], "schema")
	var want []string
	for _, f := range oaJSONFields(reflect.TypeOf(updateUserBody{})) {
		want = append(want, f.name)
	}
	slices.Sort(want)
	if got := oaPropertyNames(t, schema); !slices.Equal(got, want) {
		t.Errorf("body properties %v, the handler decodes %v", got, want)
	}

	list := oaObj(t, oaObj(t, paths["/api/v1/users"], "/api/v1/users")["get"], "GET /api/v1/users")
	var documented []string
	for _, p := range list["parameters"].([]any) {
		if pm := oaDeref(t, doc, p); pm["in"] == "query" {
			documented = append(documented, pm["name"].(string))
		}
	}
	slices.Sort(documented)
	known := peopleKnownParams(t, "listUsers")
	if len(known) == 0 || !slices.Equal(documented, known) {
		t.Errorf("documented filters %v, listUsers knows %v", documented, known)
	}
}

// peopleKnownParams reads the names a handler of people.go passes to
// knownParams.
func peopleKnownParams(t *testing.T, handler string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "people.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var known []string
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Name.Name != handler {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "knownParams" {
				return true
			}
			for _, a := range call.Args[1:] {
				if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					known = append(known, s)
				}
			}
			return true
		})
	}
	slices.Sort(known)
	return known
}
