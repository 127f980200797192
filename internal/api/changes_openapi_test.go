package api

import (
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-itsm/cairn/internal/change"
	"github.com/cairn-itsm/cairn/internal/fulfilment"
	"github.com/cairn-itsm/cairn/internal/store"
)

// changeJSONFields is oaJSONFields with embedded structs flattened, as
// encoding/json does.
func changeJSONFields(typ reflect.Type) []oaJSONField {
	var out []oaJSONField
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Anonymous && f.Tag.Get("json") == "" && f.Type.Kind() == reflect.Struct {
			out = append(out, changeJSONFields(f.Type)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		out = append(out, oaJSONFields(reflect.StructOf([]reflect.StructField{f}))...)
	}
	return out
}

// TestChangeOpenAPISchemas checks the schemas of changes.go against the
// JSON of their Go types, as TestOpenAPISchemasMatchGoTypes does for the
// others.
func TestChangeOpenAPISchemas(t *testing.T) {
	doc := oaLoad(t)
	schemas := oaObj(t, oaObj(t, doc["components"], "components")["schemas"], "schemas")
	for name, v := range map[string]any{
		"ChangeRecord": store.ChangeRecord{}, "RiskContribution": change.Contribution{}, "RiskThresholds": change.Thresholds{},
		"RiskAssessment": change.Assessment{}, "RiskOption": change.Option{}, "RiskQuestion": change.Question{}, "RiskModel": change.Model{},
		"ChangeReview": change.Review{}, "ChangeTemplate": change.Template{}, "Quorum": change.Quorum{}, "ApprovalRule": change.Rule{},
		"Approval": store.Approval{}, "ApprovalStep": store.ApprovalStep{}, "ApprovalState": store.ApprovalState{},
		"PendingApproval": store.PendingApproval{}, "ChangeConflict": change.Conflict{}, "FreezeWindow": change.Freeze{},
		"CalendarEntry": store.CalendarEntry{}, "ChangeCalendar": store.Calendar{}, "Deployment": store.Deployment{},
		"GateDecision": change.GateDecision{}, "DeploymentAnswer": deploymentAnswer{}, "ChangeView": store.ChangeView{},
		"ChangeSettings": store.ChangeSettings{}, "ChangeRate": change.Rate{}, "TaskTemplate": fulfilment.TaskTemplate{},
		"Task": fulfilment.Task{}, "RequestFulfilment": requestFulfilment{}, "Window": change.Window{},
	} {
		schema := oaObj(t, schemas[name], name)
		var want []string
		always := map[string]bool{}
		for _, f := range changeJSONFields(reflect.TypeOf(v)) {
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
			if !slices.Contains(required, f) {
				t.Errorf("schema %s: %s is always present but not required", name, f)
			}
		}
	}
}

// TestChangeOpenAPIBodies checks the documented bodies of changes.go
// against what the handlers decode.
func TestChangeOpenAPIBodies(t *testing.T) {
	doc := oaLoad(t)
	paths := oaObj(t, doc["paths"], "paths")
	for pattern, v := range map[string]any{
		"POST /api/v1/changes":                 createChangeBody{},
		"PATCH /api/v1/changes/{key}":          planChangeBody{},
		"POST /api/v1/changes/{key}/review":    reviewBody{},
		"POST /api/v1/change-templates":        templateBody{},
		"PUT /api/v1/change-templates/{id}":    templateBody{},
		"PUT /api/v1/risk-model":               change.Model{},
		"PUT /api/v1/change-settings":          store.ChangeSettings{},
		"POST /api/v1/freeze-windows":          freezeBody{},
		"POST /api/v1/approval-rules":          ruleBody{},
		"PUT /api/v1/approval-rules/{id}":      ruleBody{},
		"POST /api/v1/deployments":             deploymentBody{},
		"PUT /api/v1/request-types/{id}/tasks": taskPlanBody{},
	} {
		method, path, _ := strings.Cut(pattern, " ")
		op := oaObj(t, oaObj(t, paths[path], path)[strings.ToLower(method)], pattern)
		body := oaDeref(t, doc, op["requestBody"])
		schema := oaObj(t, oaObj(t, oaObj(t, body["content"], "content")["application/json"], "json")["schema"], "schema")
		var want []string
		for _, f := range changeJSONFields(reflect.TypeOf(v)) {
			want = append(want, f.name)
		}
		slices.Sort(want)
		if got := oaPropertyNames(t, schema); !slices.Equal(got, want) {
			t.Errorf("%s: body properties %v, the handler decodes %v", pattern, got, want)
		}
	}
}

// TestChangeOpenAPISuccessStatus is TestOpenAPISuccessStatus for the
// handlers of changes.go (that test reads the handlers of other files).
func TestChangeOpenAPISuccessStatus(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "changes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	written := map[string]int{}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv == nil || fn.Body == nil {
			continue
		}
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
			}
			if sel, ok := arg.(*ast.SelectorExpr); ok {
				if code, ok := oaStatusConstants[sel.Sel.Name]; ok {
					written[fn.Name.Name] = code
				}
			}
			return true
		})
	}
	doc := oaLoad(t)
	paths := oaObj(t, doc["paths"], "paths")
	n := 0
	for _, rt := range (&API{}).routes() {
		name := oaHandlerName(rt.handler)
		want, ok := written[name]
		if !ok {
			continue // another file's handler
		}
		n++
		method, path, _ := strings.Cut(rt.pattern, " ")
		op, ok := oaObj(t, paths[path], path)[strings.ToLower(method)].(map[string]any)
		if !ok {
			t.Errorf("%s is not documented", rt.pattern)
			continue
		}
		if _, ok := oaObj(t, op["responses"], "responses")[strconv.Itoa(want)]; !ok {
			t.Errorf("%s: handler %s answers %d, which is not documented", rt.pattern, name, want)
		}
	}
	if n != 32 {
		t.Errorf("found %d routes of changes.go, want 32", n)
	}
}
