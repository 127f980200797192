package api

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/cairn-itsm/cairn/internal/auth"
	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/change"
	"github.com/cairn-itsm/cairn/internal/cmdb"
	"github.com/cairn-itsm/cairn/internal/directory"
	"github.com/cairn-itsm/cairn/internal/fulfilment"
	"github.com/cairn-itsm/cairn/internal/store"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// openAPIPath is where the document is served. New mounts serveOpenAPI there
// without the guard, so that clients and tools can read it before they have
// credentials.
const openAPIPath = "/api/v1/openapi.json"

// openAPIJSON is the OpenAPI 3.1 document of the whole API, encoded once.
var openAPIJSON = sync.OnceValue(func() []byte {
	b, err := json.MarshalIndent(openAPIDocument(), "", "  ")
	if err != nil {
		panic(fmt.Sprintf("api: encode the OpenAPI document: %v", err))
	}
	return append(b, '\n')
})

// serveOpenAPI answers GET /api/v1/openapi.json with the API's description.
func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(openAPIJSON())
}

// obj is a JSON object of the document.
type obj = map[string]any

// oaOp describes one operation. The least role is not written here: it is
// read from routes(), so that the document cannot drift from the guard.
type oaOp struct {
	pattern     string // "METHOD /path", exactly as in routes()
	id          string // operationId
	tag         string
	summary     string
	description string
	params      []obj
	body        obj // the requestBody, if any
	status      int // the success status the handler writes
	okDesc      string
	ok          any // JSON schema of the success body; nil for none
	okContent   obj // content of the success answer when it is not JSON
	okHeaders   obj
	// errors are the operation's own error answers beyond those derived
	// from its shape (401/403 from the guard, 400/413 for bodies, 404 for
	// path parameters). A non-empty text replaces the generic description.
	errors map[int]string
}

// openAPIDocument builds the document as plain maps, ready to be encoded.
func openAPIDocument() obj {
	roles := map[string]directory.Role{}
	for _, rt := range (&API{}).routes() {
		roles[rt.pattern] = rt.role
	}
	paths := obj{}
	for _, op := range slices.Concat(oaOperations(), oaChangeOperations(), oaCMDBOperations(), oaPracticeOperations(), oaQueueOperations()) {
		method, path, _ := strings.Cut(op.pattern, " ")
		item, _ := paths[path].(obj)
		if item == nil {
			item = obj{}
			paths[path] = item
		}
		role, guarded := roles[op.pattern]
		item[strings.ToLower(method)] = op.build(method, path, role, guarded)
	}
	return obj{
		"openapi":           "3.1.0",
		"jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
		"info": obj{
			"title":       "Cairn API",
			"version":     "1",
			"description": oaInfoDescription(),
		},
		"servers": []obj{{"url": "/", "description": "The Cairn server that serves this document"}},
		"security": []obj{
			{"bearerAuth": []string{}},
			{"basicAuth": []string{}},
			{"cookieAuth": []string{}},
		},
		"tags": []obj{
			{"name": "Me", "description": "The signed-in user and their API tokens."},
			{"name": "Catalog", "description": "The service catalogue: services and the request types through which customers ask for them."},
			{"name": "Workflows", "description": "The statuses and transitions each ticket type moves through."},
			{"name": "Directory", "description": "Organizations, users and teams."},
			{"name": "Tickets", "description": "Incidents, service requests, problems and changes, with their comments, history, links and attachments."},
			{"name": "Meta", "description": "This document."},
			{"name": "Operations", "description": "Health and metrics endpoints for load balancers and monitoring, served outside the API without authentication."},
			{"name": "Changes", "description": "Change enablement: standard, normal and emergency changes, their risk, plan, review, the standard change library and the change calendar with freeze windows."},
			{"name": "Approvals", "description": "Approval rules and the approvals they ask for, of changes and of service requests."},
			{"name": "Deployments", "description": "Deployments reported by CI/CD pipelines, gated in the environments that need an approved change."},
			{"name": "Fulfilment", "description": "How service requests are fulfilled: task plans per request type and the tasks of each request."},
			{"name": "CMDB", "description": "The configuration management database: CI types, CIs, their relationships, impact analysis, links to services and tickets, and imports. For agents; admins define types."},
			{"name": "Incidents", "description": "Incident management: the priority matrix and incident rules, reopening, major incidents and their communication log, affected services and causes."},
			{"name": "Problems", "description": "Problem management: root cause analysis, grouping incidents into problems, resolving problems with their incidents, and known errors."},
			oaQueueTags[0], oaQueueTags[1],
		},
		"paths": paths,
		"components": obj{
			"securitySchemes": obj{
				"bearerAuth": obj{
					"type": "http", "scheme": "bearer", "bearerFormat": auth.TokenPrefix + "…",
					"description": "An API token: `Authorization: Bearer <token>`. Create one with `cairn token create --email E` or `POST /api/v1/me/tokens`.",
				},
				"basicAuth": obj{
					"type": "http", "scheme": "basic",
					"description": "HTTP Basic with the user's email address as the user name and an API token (not the account password) as the password.",
				},
				"cookieAuth": obj{
					"type": "apiKey", "in": "cookie", "name": auth.SessionCookieInsecure,
					"description": fmt.Sprintf("The browser session of the web UI: cookie `%s` over HTTPS, `%s` on plain HTTP. "+
						"Writes (POST, PUT, PATCH, DELETE) must also send the session's CSRF token in the `%s` header.",
						auth.SessionCookie, auth.SessionCookieInsecure, auth.CSRFHeader),
				},
			},
			"schemas":    oaWithQueueSchemas(oaWithPracticeSchemas(oaWithCMDBSchemas(oaWithChangeSchemas(oaSchemas())))),
			"parameters": obj{"TicketKey": oaPathParam("key", "The ticket's key, such as `IT-42` (letter case ignored).", obj{"type": "string", "examples": []string{"IT-42"}})},
			"responses":  oaErrorResponses(),
		},
	}
}

func oaInfoDescription() string {
	return strings.Join([]string{
		"Cairn is an ITSM service desk. This is its native JSON API, under `/api/v1`.",
		"",
		"## Authentication",
		"",
		"Every endpoint under `/api/v1` except this document (`GET /api/v1/openapi.json`) needs credentials. " +
			"Without them it answers 401 with `WWW-Authenticate: Bearer realm=\"cairn\", Basic realm=\"cairn\"`.",
		"",
		"* **API token:** `Authorization: Bearer <token>`. Create a token on the server with `cairn token create --email E`, " +
			"or through the API with `POST /api/v1/me/tokens`. Tokens start with `" + auth.TokenPrefix + "`; the secret is shown only once.",
		"* **HTTP Basic:** the user's email address as the user name and an API token as the password (never the account password).",
		"* **Browser session:** the cookie the web UI sets at sign-in (`" + auth.SessionCookie + "` over HTTPS, `" + auth.SessionCookieInsecure +
			"` on plain HTTP). Requests that change something (POST, PUT, PATCH, DELETE) must also send the session's CSRF token in the `" +
			auth.CSRFHeader + "` header, or they are refused with 403. Cross-origin browser writes are refused before they reach the API.",
		"",
		"## Roles",
		"",
		"Every user is a `customer`, an `agent` or an `admin`, in that order of trust. Each operation states the least role that may call it " +
			"(in its description and in the `x-cairn-role` extension); a weaker role gets 403. " +
			"A ticket the caller may not see answers 404, as if it did not exist: customers see the tickets they reported and those shared " +
			"with their organization; agents see the tickets of the services their teams serve and any ticket assigned to or reported by them; admins see all.",
		"",
		"## Requests",
		"",
		fmt.Sprintf("Bodies are one JSON object sent as `application/json` (or without a Content-Type), at most %d bytes. "+
			"Unknown fields are refused with 400 `unknown_field` rather than ignored. Where a body or filter names a service, organization "+
			"or team it takes its id or its name; a user is named by id or email address. Times are RFC 3339 in UTC.", MaxBody),
		"",
		"## Errors",
		"",
		"Every error answer has the same shape: `{\"error\": {\"code\": \"…\", \"message\": \"…\", \"field\": \"…\"}}`, " +
			"where `field` (when present) names the input at fault, such as `summary`, `fields.cost_center` or `statuses[2].name`.",
		"",
		"| Status | Codes | Meaning |",
		"|---|---|---|",
		"| 400 | `invalid_json`, `unknown_field`, `unknown_parameter`, `unsupported_media_type`, `invalid_body` | The request is not even the right shape. |",
		"| 401 | `unauthorized` | No, unknown or revoked credentials. |",
		"| 403 | `forbidden` | The role may not do this, or a session write lacks its CSRF token. |",
		"| 404 | `not_found` | No such thing, or hidden from the caller. |",
		"| 409 | `duplicate`, `transition_not_allowed`, `status_in_use` | The current state does not allow it. |",
		"| 413 | `too_large` | The body or the uploaded file is over the limit. |",
		"| 422 | `invalid_field`, `required_field` | A rule about a field is broken. |",
		"| 500 | `internal` | A bug or an outage; the details are in the server's log. |",
	}, "\n")
}

// build turns the description of an operation into an OpenAPI operation.
func (op oaOp) build(method, path string, role directory.Role, guarded bool) obj {
	o := obj{
		"operationId": op.id,
		"summary":     op.summary,
		"tags":        []string{op.tag},
	}
	desc := op.description
	if guarded {
		o["x-cairn-role"] = string(role)
		sentence := fmt.Sprintf("Least role: `%s`.", role)
		switch role {
		case directory.RoleCustomer:
			sentence = "Least role: `customer` (any signed-in user)."
		case directory.RoleAgent:
			sentence = "Least role: `agent` (agents and admins)."
		case directory.RoleAdmin:
			sentence = "Least role: `admin`."
		}
		desc = strings.TrimSpace(desc + "\n\n" + sentence)
	} else {
		o["security"] = []obj{} // no credentials needed
	}
	if desc != "" {
		o["description"] = desc
	}
	if len(op.params) > 0 {
		o["parameters"] = op.params
	}
	if op.body != nil {
		o["requestBody"] = op.body
	}

	ok := obj{"description": op.okDesc}
	switch {
	case op.okContent != nil:
		ok["content"] = op.okContent
	case op.ok != nil:
		ok["content"] = obj{"application/json": obj{"schema": op.ok}}
	}
	if op.okHeaders != nil {
		ok["headers"] = op.okHeaders
	}
	responses := obj{fmt.Sprint(op.status): ok}

	errors := map[int]string{}
	if op.body != nil && strings.HasPrefix(path, "/api/") {
		errors[http.StatusBadRequest] = ""
		errors[http.StatusRequestEntityTooLarge] = ""
	}
	if guarded {
		errors[http.StatusUnauthorized] = ""
		if role != directory.RoleCustomer || method != http.MethodGet {
			errors[http.StatusForbidden] = ""
		}
	}
	if strings.Contains(path, "{") {
		errors[http.StatusNotFound] = ""
	}
	maps.Copy(errors, op.errors)
	for status, text := range errors {
		if !strings.HasPrefix(path, "/api/") {
			// Outside the API, answers are plain text.
			responses[fmt.Sprint(status)] = obj{"description": text, "content": obj{"text/plain": obj{"schema": obj{"type": "string"}}}}
			continue
		}
		if text == "" {
			responses[fmt.Sprint(status)] = oaRef("responses", oaErrorNames[status])
			continue
		}
		responses[fmt.Sprint(status)] = obj{
			"description": text,
			"content":     obj{"application/json": obj{"schema": oaRef("schemas", "Error")}},
		}
	}
	o["responses"] = responses
	return o
}

// oaErrorNames names the shared error answers under components/responses.
var oaErrorNames = map[int]string{
	http.StatusBadRequest:            "BadRequest",
	http.StatusUnauthorized:          "Unauthorized",
	http.StatusForbidden:             "Forbidden",
	http.StatusNotFound:              "NotFound",
	http.StatusConflict:              "Conflict",
	http.StatusRequestEntityTooLarge: "TooLarge",
	http.StatusUnprocessableEntity:   "Unprocessable",
}

func oaErrorResponses() obj {
	text := map[int]string{
		http.StatusBadRequest:            "The request is malformed: not JSON, not one object, an unknown field or query parameter, or the wrong Content-Type (codes `invalid_json`, `unknown_field`, `unknown_parameter`, `unsupported_media_type`, `invalid_body`).",
		http.StatusUnauthorized:          "No credentials, or unknown, revoked or expired ones (code `unauthorized`). The answer carries a `WWW-Authenticate` header.",
		http.StatusForbidden:             "The caller's role may not do this, or a cookie-session write lacks the `" + auth.CSRFHeader + "` header (code `forbidden`).",
		http.StatusNotFound:              "No such resource, or one the caller may not see (code `not_found`).",
		http.StatusConflict:              "The current state does not allow this (codes such as `duplicate`).",
		http.StatusRequestEntityTooLarge: fmt.Sprintf("The body is larger than %d bytes (code `too_large`).", MaxBody),
		http.StatusUnprocessableEntity:   "A field breaks a rule (codes `invalid_field`, `required_field`); `field` names it.",
	}
	out := obj{}
	for status, name := range oaErrorNames {
		r := obj{
			"description": text[status],
			"content":     obj{"application/json": obj{"schema": oaRef("schemas", "Error")}},
		}
		if status == http.StatusUnauthorized {
			r["headers"] = obj{"WWW-Authenticate": obj{
				"description": `The accepted schemes: Bearer realm="cairn", Basic realm="cairn".`,
				"schema":      obj{"type": "string"},
			}}
		}
		out[name] = r
	}
	return out
}

// Schema helpers.

func oaRef(kind, name string) obj { return obj{"$ref": "#/components/" + kind + "/" + name} }

func oaSchema(name string) obj { return oaRef("schemas", name) }

// oaDescribed is a reference with its own description (allowed next to $ref in 3.1).
func oaDescribed(name, desc string) obj {
	return obj{"$ref": "#/components/schemas/" + name, "description": desc}
}

func oaString(desc string) obj {
	s := obj{"type": "string"}
	if desc != "" {
		s["description"] = desc
	}
	return s
}

func oaInt(desc string) obj {
	s := obj{"type": "integer", "format": "int64"}
	if desc != "" {
		s["description"] = desc
	}
	return s
}

func oaID(desc string) obj {
	s := oaInt(desc)
	s["minimum"] = 1
	return s
}

func oaBool(desc string) obj {
	s := obj{"type": "boolean"}
	if desc != "" {
		s["description"] = desc
	}
	return s
}

func oaTime(desc string) obj {
	s := obj{"type": "string", "format": "date-time"}
	if desc != "" {
		s["description"] = desc
	}
	return s
}

func oaArray(items any, desc string) obj {
	s := obj{"type": "array", "items": items}
	if desc != "" {
		s["description"] = desc
	}
	return s
}

func oaEnum[T ~string](desc string, values ...T) obj {
	s := obj{"type": "string", "enum": values}
	if desc != "" {
		s["description"] = desc
	}
	return s
}

// oaRefValue is something named by id or by name; numbers and numeric
// strings are ids.
func oaRefValue(desc string) obj {
	return obj{"type": []string{"integer", "string"}, "description": desc}
}

// oaObject is an object schema; required lists the properties always there.
func oaObject(desc string, props obj, required ...string) obj {
	s := obj{"type": "object", "properties": props}
	if desc != "" {
		s["description"] = desc
	}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

// oaInput is a request body's schema: unknown fields are refused.
func oaInput(desc string, props obj, required ...string) obj {
	s := oaObject(desc, props, required...)
	s["additionalProperties"] = false
	return s
}

// oaWrap is the {"<key>": [...]} object that listings answer with.
func oaWrap(key, item string) obj {
	return oaObject("", obj{key: oaArray(oaSchema(item), "")}, key)
}

func oaJSONBody(schema obj) obj {
	return obj{"required": true, "content": obj{"application/json": obj{"schema": schema}}}
}

func oaPathParam(name, desc string, schema obj) obj {
	return obj{"name": name, "in": "path", "required": true, "description": desc, "schema": schema}
}

func oaQuery(name, desc string, schema obj) obj {
	return obj{"name": name, "in": "query", "description": desc, "schema": schema}
}

// oaQueryList is a comma-separated list: ?status=Open,Pending.
func oaQueryList(name, desc string, items obj) obj {
	return obj{"name": name, "in": "query", "description": desc, "schema": oaArray(items, ""), "style": "form", "explode": false}
}

func oaIDParam(what string) obj {
	return oaPathParam("id", "The "+what+"'s id.", oaID(""))
}

var oaKeyParam = oaRef("parameters", "TicketKey")

func oaLimit(max int) obj {
	return oaQuery("limit", fmt.Sprintf("How many to return, from 1 to %d.", max),
		obj{"type": "integer", "minimum": 1, "maximum": max, "default": 50})
}

func oaOffset() obj {
	return oaQuery("offset", "How many to skip.", obj{"type": "integer", "minimum": 0, "default": 0})
}

func oaSchemas() obj {
	levels := []ticket.Level{ticket.LevelHigh, ticket.LevelMedium, ticket.LevelLow}
	linkKinds := []ticket.LinkKind{ticket.LinkRelates, ticket.LinkCausedBy, ticket.LinkDuplicates, ticket.LinkBlocks}
	readKinds := []string{}
	for _, k := range linkKinds {
		readKinds = append(readKinds, string(k))
	}
	for _, k := range linkKinds {
		if inv := k.Inverse(); !slices.Contains(readKinds, inv) {
			readKinds = append(readKinds, inv)
		}
	}
	return obj{
		"TicketType": oaEnum("The ITIL practice a ticket belongs to.", ticket.Types...),
		"Priority": oaEnum("How urgent the work is, highest first. Input is accepted in any letter case.",
			ticket.Priorities...),
		"Level": oaEnum("An impact or an urgency. Input is accepted in any letter case.", levels...),
		"StatusCategory": oaEnum("What a status means whatever its name: not started, being worked on, finished.",
			ticket.CategoryToDo, ticket.CategoryInProgress, ticket.CategoryDone),
		"Channel": oaEnum("How a ticket reached the desk.",
			ticket.ChannelPortal, ticket.ChannelEmail, ticket.ChannelAPI, ticket.ChannelAgent),
		"Role":          oaEnum("What a user may do, from least to most trusted.", directory.Roles...),
		"FieldType":     oaEnum("The kind of value a form field takes.", catalog.FieldTypes...),
		"LinkKind":      oaEnum("How the ticket a link is made on relates to the other ticket.", linkKinds...),
		"ServiceStatus": oaEnum("Where a service is in its lifecycle: designed, offered, withdrawn.", catalog.ServicePipeline, catalog.ServiceLive, catalog.ServiceRetired),
		"EventType": oaEnum("What happened to a ticket.", ticket.EventCreated, ticket.EventUpdated, ticket.EventTransitioned,
			ticket.EventCommented, ticket.EventLinked, ticket.EventUnlinked, ticket.EventAttachmentAdded,
			cmdb.EventTicketCILinked, cmdb.EventTicketCIUnlinked,
			ticket.EventMajorDeclared, ticket.EventMajorEnded, ticket.EventCommunication, ticket.EventAffectedServices, ticket.EventAnalysisUpdated,
			ticket.EventKnownErrorRecorded, ticket.EventKnownErrorUpdated, ticket.EventKnownErrorApplied, ticket.EventProblemResolved, ticket.EventReraised),

		"Error": oaObject("The one shape of every error answer.", obj{
			"error": oaObject("", obj{
				"code":    oaString("Machine-readable, such as `invalid_field`, `required_field`, `not_found` or `duplicate`."),
				"message": oaString("Meant for people."),
				"field":   oaString("The input at fault, when there is one: a body field (`summary`, `fields.cost_center`, `statuses[2].name`) or a query parameter."),
			}, "code", "message"),
		}, "error"),

		"Ticket": oaObject("One incident, service request, problem or change.", obj{
			"id":              oaID(""),
			"key":             obj{"type": "string", "description": "The ticket's key: the desk's key and a number.", "examples": []string{"IT-42"}},
			"type":            oaSchema("TicketType"),
			"request_type_id": oaID("The request type it was raised through; absent when none."),
			"service_id":      oaID(""),
			"summary":         obj{"type": "string", "maxLength": ticket.MaxSummary, "description": "One line."},
			"description":     obj{"type": "string", "maxLength": ticket.MaxDescription},
			"reporter_id":     oaID("The user it was raised for."),
			"organization_id": oaID("The organization it is shared with; absent when none."),
			"assignee_id":     oaID("The agent working it; absent when unassigned."),
			"team_id":         oaID("The team it is with; absent when none."),
			"workflow_id":     oaID(""),
			"status":          oaString("A status of the ticket's workflow."),
			"status_category": oaSchema("StatusCategory"),
			"priority":        oaSchema("Priority"),
			"impact":          oaDescribed("Level", "Absent when not set. For incidents impact and urgency derive the priority unless it is set."),
			"urgency":         oaDescribed("Level", "Absent when not set."),
			"resolution":      oaString("How it was resolved; set on reaching a done status (default `Done`), absent otherwise."),
			"fields":          obj{"type": "object", "additionalProperties": true, "description": "The values of the request type's form, by field key."},
			"channel":         oaSchema("Channel"),
			"created_at":      oaTime(""),
			"updated_at":      oaTime(""),
			"resolved_at":     oaTime("When it last reached a done status; absent while open."),
			"service":         obj{"type": "string", "readOnly": true, "description": "The service's name."},
			"request_type":    obj{"type": "string", "readOnly": true, "description": "The request type's name; absent when none."},
			"reporter":        obj{"type": "string", "readOnly": true, "description": "The reporter's name."},
			"reporter_email":  obj{"type": "string", "format": "email", "readOnly": true},
			"assignee":        obj{"type": "string", "readOnly": true, "description": "The assignee's name; absent when unassigned."},
			"organization":    obj{"type": "string", "readOnly": true, "description": "The organization's name; absent when none."},
			"team":            obj{"type": "string", "readOnly": true, "description": "The team's name; absent when none."},
		}, "id", "key", "type", "service_id", "summary", "description", "reporter_id", "workflow_id", "status",
			"status_category", "priority", "fields", "channel", "created_at", "updated_at", "service", "reporter", "reporter_email"),

		"TicketPage": oaObject("One page of a ticket listing.", obj{
			"tickets": oaArray(oaSchema("Ticket"), ""),
			"total":   obj{"type": "integer", "minimum": 0, "description": "How many tickets match, on all pages."},
			"limit":   obj{"type": "integer", "minimum": 1},
			"offset":  obj{"type": "integer", "minimum": 0},
		}, "tickets", "total", "limit", "offset"),

		"Comment": oaObject("A reply on a ticket. Internal comments are notes among agents that customers never see.", obj{
			"id":         oaID(""),
			"author_id":  oaID(""),
			"author":     oaString("The author's name."),
			"body":       obj{"type": "string", "maxLength": ticket.MaxComment},
			"internal":   oaBool(""),
			"created_at": oaTime(""),
		}, "id", "author_id", "author", "body", "internal", "created_at"),

		"Change": oaObject("One field's change.", obj{
			"field": oaString("The field, by its API name: `summary`, `priority`, `assignee_id`, `status`, `fields.<key>`, …"),
			"from":  obj{"description": "The value before; any JSON value."},
			"to":    obj{"description": "The value after; any JSON value."},
		}, "field", "from", "to"),

		"Event": oaObject("One entry of a ticket's history.", obj{
			"id":         oaID(""),
			"type":       oaSchema("EventType"),
			"actor_id":   oaID("Who did it; absent when Cairn did it on its own."),
			"actor":      oaString("Who did it, by name (`Cairn` for the system)."),
			"changes":    oaArray(oaSchema("Change"), "The fields that changed (updates and transitions)."),
			"data":       obj{"type": "object", "description": "What the event recorded, for events other than updates and transitions."},
			"created_at": oaTime(""),
		}, "id", "type", "actor", "created_at"),

		"Link": oaObject("A link between two tickets, read from the ticket it is listed on.", obj{
			"id": oaID(""),
			"kind": obj{"type": "string", "enum": readKinds,
				"description": "How this ticket relates to the other: a link kind, or its inverse when read from the link's target (`causes`, `is_duplicated_by`, `is_blocked_by`)."},
			"ticket":     oaString("The other ticket's key."),
			"summary":    oaString("The other ticket's summary."),
			"status":     oaString("The other ticket's status."),
			"created_at": oaTime(""),
		}, "id", "kind", "ticket", "summary", "status", "created_at"),

		"Attachment": oaObject("A file on a ticket.", obj{
			"id":           oaID(""),
			"filename":     oaString(""),
			"content_type": oaString("As uploaded."),
			"size":         obj{"type": "integer", "minimum": 1, "maximum": ticket.MaxAttachment, "description": "In bytes."},
			"sha256":       obj{"type": "string", "pattern": "^[0-9a-f]{64}$"},
			"uploaded_by":  oaID("The uploader's user id."),
			"created_at":   oaTime(""),
		}, "id", "filename", "content_type", "size", "sha256", "uploaded_by", "created_at"),

		"Status": oaObject("One state of a workflow.", obj{
			"name":     oaString("Unique within the workflow (letter case ignored)."),
			"category": oaSchema("StatusCategory"),
		}, "name", "category"),

		"Transition": oaObject("A move from one of `from` (any status when empty or null) to `to`, for the listed roles.", obj{
			"id":   oaString("Unique within the workflow."),
			"name": oaString(""),
			"from": obj{"type": []string{"array", "null"}, "items": obj{"type": "string"},
				"description": "The statuses it may start from; empty or null for any. Always present in answers."},
			"to":    oaString("The status it leads to."),
			"roles": obj{"type": "array", "items": oaSchema("Role"), "minItems": 1, "description": "The roles that may take it."},
			"required_fields": oaArray(oaString(""), fmt.Sprintf("What must be set to take it: %s, or `fields.<key>` of the request type's form. Absent when none.",
				oaCodeList(ticket.TransitionFields))),
		}, "id", "name", "to", "roles"),

		"Workflow": oaObject("The statuses a ticket type moves through.", obj{
			"id":             oaID(""),
			"name":           oaString(""),
			"ticket_type":    oaSchema("TicketType"),
			"initial_status": oaString("The status new tickets start in."),
			"statuses":       obj{"type": "array", "items": oaSchema("Status"), "minItems": 1},
			"transitions":    obj{"type": []string{"array", "null"}, "items": oaSchema("Transition")},
		}, "id", "name", "ticket_type", "initial_status", "statuses", "transitions"),

		"Service": oaObject("An entry of the service catalogue.", obj{
			"id":            oaID(""),
			"name":          obj{"type": "string", "maxLength": 200},
			"description":   oaString(""),
			"owner_team_id": oaID("The owning team; absent when none."),
			"team_ids":      oaArray(oaID(""), "The teams that work its tickets, the owner included."),
			"status":        oaSchema("ServiceStatus"),
			"created_at":    oaTime(""),
		}, "id", "name", "description", "team_ids", "status", "created_at"),

		"RequestType": oaObject("One way of asking for a service, with its own form.", obj{
			"id":          oaID(""),
			"service_id":  oaID(""),
			"name":        oaString(""),
			"description": oaString(""),
			"ticket_type": oaSchema("TicketType"),
			"internal":    oaBool("Raised by agents only and hidden from customers."),
			"fields":      oaArray(oaSchema("Field"), "The form."),
			"created_at":  oaTime(""),
		}, "id", "service_id", "name", "description", "ticket_type", "internal", "fields", "created_at"),

		"Field": oaObject("One question of a request type's form. Values are given in a ticket's `fields` under the key: "+
			"text and long_text as strings, number as a number, date as `YYYY-MM-DD`, select as one option, multi_select as a list of options, "+
			"user as a user id, checkbox as a boolean.", obj{
			"key":      obj{"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$", "description": "Names the value in a ticket's fields; unique within the form."},
			"label":    oaString("What people read."),
			"type":     oaSchema("FieldType"),
			"required": obj{"type": "boolean", "default": false, "description": "Always present in answers. A required checkbox must be checked."},
			"options":  oaArray(oaString(""), "The choices of a select or multi_select field (required for those, refused for others)."),
			"help":     oaString(""),
		}, "key", "label", "type"),

		"User": oaObject("A person who signs in.", obj{
			"id":              oaID(""),
			"email":           obj{"type": "string", "format": "email"},
			"name":            oaString(""),
			"role":            oaSchema("Role"),
			"organization_id": oaID("The user's organization; absent when none."),
			"active":          oaBool(""),
			"created_at":      oaTime(""),
		}, "id", "email", "name", "role", "active", "created_at"),

		"Organization": oaObject("A customer company or department.", obj{
			"id":         oaID(""),
			"name":       oaString(""),
			"created_at": oaTime(""),
		}, "id", "name", "created_at"),

		"Team": oaObject("A group of agents that serves some services.", obj{
			"id":         oaID(""),
			"name":       oaString(""),
			"member_ids": oaArray(oaID(""), "The members' user ids."),
			"created_at": oaTime(""),
		}, "id", "name", "member_ids", "created_at"),

		"Token": oaObject("An API token as listed to its owner; the secret is never shown again.", obj{
			"id":           oaID(""),
			"name":         obj{"type": "string", "maxLength": 100},
			"prefix":       oaString("The first characters of the secret, to recognise it."),
			"created_at":   oaTime(""),
			"last_used_at": oaTime("Absent when never used."),
		}, "id", "name", "prefix", "created_at"),
	}
}

func oaCodeList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "`" + n + "`"
	}
	return strings.Join(q, ", ")
}

// Request bodies shared by create and replace.

func oaServiceBody() obj {
	return oaJSONBody(oaInput("", obj{
		"name":        obj{"type": "string", "maxLength": 200},
		"description": oaString(""),
		"owner_team":  oaRefValue("The owning team, by id or name; it is added to team_ids. Omitted: none."),
		"team_ids":    oaArray(oaID(""), "The teams that work its tickets."),
		"status":      oaDescribed("ServiceStatus", "Omitted: `pipeline`."),
	}, "name"))
}

func oaRequestTypeBody() obj {
	return oaJSONBody(oaInput("", obj{
		"service":     oaRefValue("The service, by id or name."),
		"name":        oaString("Unique within the service."),
		"description": oaString(""),
		"ticket_type": oaDescribed("TicketType", "The type of the tickets it raises."),
		"internal":    oaBool("Raised by agents only and hidden from customers; default false."),
		"fields":      oaArray(oaSchema("Field"), "The form; omitted: none."),
	}, "service", "name", "ticket_type"))
}

func oaOperations() []oaOp {
	sortFields := slices.Sorted(maps.Keys(store.SortFields))
	return []oaOp{
		// Me.
		{
			pattern: "GET /api/v1/me", id: "getMe", tag: "Me", summary: "Who am I",
			description: "The signed-in user and the ids of their teams (empty for customers).",
			status:      200, okDesc: "The caller.",
			ok: oaObject("", obj{"user": oaSchema("User"), "team_ids": oaArray(oaID(""), "")}, "user", "team_ids"),
		},
		{
			pattern: "GET /api/v1/me/tokens", id: "listTokens", tag: "Me", summary: "List my API tokens",
			status: 200, okDesc: "The caller's tokens, oldest first.", ok: oaWrap("tokens", "Token"),
		},
		{
			pattern: "POST /api/v1/me/tokens", id: "createToken", tag: "Me", summary: "Create an API token",
			description: "Makes a new API token for the caller. The answer holds the secret, which is shown only this once; use it as `Authorization: Bearer <secret>`.",
			body:        oaJSONBody(oaInput("", obj{"name": obj{"type": "string", "minLength": 1, "maxLength": 100, "description": "What the token is for."}}, "name")),
			status:      201, okDesc: "The token and its secret.",
			ok: oaObject("", obj{
				"token":  oaSchema("Token"),
				"secret": obj{"type": "string", "description": "The token itself; it starts with `" + auth.TokenPrefix + "`."},
			}, "token", "secret"),
			errors: map[int]string{422: ""},
		},
		{
			pattern: "DELETE /api/v1/me/tokens/{id}", id: "deleteToken", tag: "Me", summary: "Revoke an API token",
			params: []obj{oaIDParam("token")},
			status: 204, okDesc: "Revoked.",
			errors: map[int]string{404: "The caller has no token with this id."},
		},

		// Catalog.
		{
			pattern: "GET /api/v1/services", id: "listServices", tag: "Catalog", summary: "List services",
			description: "The service catalogue by name. Customers see only live services; agents and admins see all.",
			status:      200, okDesc: "The services.", ok: oaWrap("services", "Service"),
		},
		{
			pattern: "POST /api/v1/services", id: "createService", tag: "Catalog", summary: "Create a service",
			body:   oaServiceBody(),
			status: 201, okDesc: "The new service.", ok: oaSchema("Service"),
			errors: map[int]string{409: "A service with this name exists already (code `duplicate`).", 422: ""},
		},
		{
			pattern: "GET /api/v1/services/{id}", id: "getService", tag: "Catalog", summary: "Get a service",
			description: "Customers get 404 for a service that is not live.",
			params:      []obj{oaIDParam("service")},
			status:      200, okDesc: "The service.", ok: oaSchema("Service"),
		},
		{
			pattern: "PUT /api/v1/services/{id}", id: "updateService", tag: "Catalog", summary: "Replace a service",
			description: "Replaces every editable field: an omitted `status` becomes `pipeline`, an omitted `owner_team` or `team_ids` clears it.",
			params:      []obj{oaIDParam("service")},
			body:        oaServiceBody(),
			status:      200, okDesc: "The service as saved.", ok: oaSchema("Service"),
			errors: map[int]string{409: "Another service has this name (code `duplicate`).", 422: ""},
		},
		{
			pattern: "GET /api/v1/request-types", id: "listRequestTypes", tag: "Catalog", summary: "List request types",
			description: "Request types, of one service when `service` is given. Customers see only those of live services.",
			params:      []obj{oaQuery("service", "Only this service's, by id or name.", obj{"type": "string"})},
			status:      200, okDesc: "The request types.", ok: oaWrap("request_types", "RequestType"),
			errors: map[int]string{422: "No such service (field `service`)."},
		},
		{
			pattern: "POST /api/v1/request-types", id: "createRequestType", tag: "Catalog", summary: "Create a request type",
			body:   oaRequestTypeBody(),
			status: 201, okDesc: "The new request type.", ok: oaSchema("RequestType"),
			errors: map[int]string{409: "The service has a request type with this name already (code `duplicate`).", 422: ""},
		},
		{
			pattern: "GET /api/v1/request-types/{id}", id: "getRequestType", tag: "Catalog", summary: "Get a request type",
			description: "Customers get 404 for a request type of a service that is not live.",
			params:      []obj{oaIDParam("request type")},
			status:      200, okDesc: "The request type.", ok: oaSchema("RequestType"),
		},
		{
			pattern: "PUT /api/v1/request-types/{id}", id: "updateRequestType", tag: "Catalog", summary: "Replace a request type",
			description: "Replaces the service, name, description, ticket type and form. Values already given on tickets stay as they were.",
			params:      []obj{oaIDParam("request type")},
			body:        oaRequestTypeBody(),
			status:      200, okDesc: "The request type as saved.", ok: oaSchema("RequestType"),
			errors: map[int]string{409: "The service has another request type with this name (code `duplicate`).", 422: ""},
		},

		// Workflows.
		{
			pattern: "GET /api/v1/workflows", id: "listWorkflows", tag: "Workflows", summary: "List workflows",
			status: 200, okDesc: "Every workflow.", ok: oaWrap("workflows", "Workflow"),
		},
		{
			pattern: "GET /api/v1/workflows/{id}", id: "getWorkflow", tag: "Workflows", summary: "Get a workflow",
			params: []obj{oaIDParam("workflow")},
			status: 200, okDesc: "The workflow.", ok: oaSchema("Workflow"),
		},
		{
			pattern: "PUT /api/v1/workflows/{id}", id: "updateWorkflow", tag: "Workflows", summary: "Replace a workflow",
			description: "Replaces the name, statuses and transitions. The ticket type cannot change. A status that tickets are in cannot be removed; " +
				"if its category changes, those tickets follow.",
			params: []obj{oaIDParam("workflow")},
			body: oaJSONBody(oaInput("", obj{
				"id":             oaID("Optional; when given it must be the id in the path."),
				"name":           oaString(""),
				"ticket_type":    oaDescribed("TicketType", "Must be the workflow's current ticket type."),
				"initial_status": oaString("One of the statuses."),
				"statuses":       obj{"type": "array", "items": oaSchema("Status"), "minItems": 1},
				"transitions":    oaArray(oaSchema("Transition"), ""),
			}, "name", "ticket_type", "initial_status", "statuses")),
			status: 200, okDesc: "The workflow as saved.", ok: oaSchema("Workflow"),
			errors: map[int]string{409: "Tickets are in a status the new definition leaves out (code `status_in_use`).", 422: ""},
		},

		// Directory.
		{
			pattern: "GET /api/v1/organizations", id: "listOrganizations", tag: "Directory", summary: "List organizations",
			status: 200, okDesc: "The organizations by name.", ok: oaWrap("organizations", "Organization"),
		},
		{
			pattern: "POST /api/v1/organizations", id: "createOrganization", tag: "Directory", summary: "Create an organization",
			body:   oaJSONBody(oaInput("", obj{"name": obj{"type": "string", "maxLength": 200}}, "name")),
			status: 201, okDesc: "The new organization.", ok: oaSchema("Organization"),
			errors: map[int]string{409: "An organization with this name exists already (code `duplicate`).", 422: ""},
		},
		{
			pattern: "GET /api/v1/users", id: "listUsers", tag: "Directory", summary: "List users",
			description: "Users by name. There is no total: ask for the next page until one comes back shorter than `limit`.",
			params: []obj{
				oaQuery("role", "Only users of this role.", oaSchema("Role")),
				oaQuery("organization", "Only members of this organization, by id or name.", obj{"type": "string"}),
				oaQuery("active", "`true`: only active users; `false`: only deactivated ones. Without it, both.", obj{"type": "boolean"}),
				oaLimit(1000),
				oaOffset(),
			},
			status: 200, okDesc: "The users.", ok: oaWrap("users", "User"),
			errors: map[int]string{422: "A filter is invalid (field `role`, `organization`, `active`, `limit` or `offset`)."},
		},
		{
			pattern: "POST /api/v1/users", id: "createUser", tag: "Directory", summary: "Create a user",
			description: "Without a password the user cannot sign in to the web UI until one is set; API tokens can still be made for them with `cairn token create`.",
			body: oaJSONBody(oaInput("", obj{
				"email":        obj{"type": "string", "format": "email", "description": "Unique; stored in lower case."},
				"name":         obj{"type": "string", "maxLength": 200},
				"role":         oaSchema("Role"),
				"organization": oaRefValue("The user's organization, by id or name."),
				"password":     obj{"type": "string", "minLength": 8, "format": "password", "description": "For signing in to the web UI."},
			}, "email", "name", "role")),
			status: 201, okDesc: "The new user.", ok: oaSchema("User"),
			errors: map[int]string{409: "A user with this email exists already (code `duplicate`, field `email`).", 422: ""},
		},
		{
			pattern: "GET /api/v1/users/{id}", id: "getUser", tag: "Directory", summary: "Get a user",
			params: []obj{oaIDParam("user")},
			status: 200, okDesc: "The user.", ok: oaSchema("User"),
		},
		{
			pattern: "PATCH /api/v1/users/{id}", id: "updateUser", tag: "Directory", summary: "Change a user",
			description: "Changes only the fields given, checked as on creation; each change is recorded in the user's history. " +
				"Nobody can take away their own admin role or deactivate themselves, and the last active admin stays an active admin " +
				"(422 naming `role` or `active`).\n\n" +
				"Deactivating (`\"active\": false`) ends the user's browser sessions at once and refuses their API tokens while they are inactive; " +
				"they can no longer be made assignee or approver. Their tickets keep them as reporter and assignee, and reactivating them " +
				"lets their password and tokens work again.\n\n" +
				"Making an agent or admin a `customer` takes them out of every team and unassigns their open tickets (recorded in each " +
				"ticket's history), so the work goes back to the team queues; resolved and closed tickets keep them.",
			params: []obj{oaIDParam("user")},
			body: oaJSONBody(oaInput("", obj{
				"email":        obj{"type": "string", "format": "email", "description": "Unique, letter case ignored; stored in lower case."},
				"name":         obj{"type": "string", "minLength": 1, "maxLength": 200},
				"role":         oaSchema("Role"),
				"organization": obj{"type": []string{"integer", "string", "null"}, "description": "The user's organization, by id or name; empty or null for none."},
				"active":       oaBool("False deactivates the user, true reactivates them."),
			})),
			status: 200, okDesc: "The user as changed.", ok: oaSchema("User"),
			errors: map[int]string{409: "Another user has this email (code `duplicate`, field `email`).", 422: ""},
		},
		{
			pattern: "GET /api/v1/teams", id: "listTeams", tag: "Directory", summary: "List teams",
			status: 200, okDesc: "The teams by name, with their members.", ok: oaWrap("teams", "Team"),
		},
		{
			pattern: "POST /api/v1/teams", id: "createTeam", tag: "Directory", summary: "Create a team",
			body: oaJSONBody(oaInput("", obj{
				"name":       obj{"type": "string", "maxLength": 200},
				"member_ids": oaArray(oaID(""), "Agents and admins; customers cannot be members."),
			}, "name")),
			status: 201, okDesc: "The new team.", ok: oaSchema("Team"),
			errors: map[int]string{409: "A team with this name exists already (code `duplicate`).", 422: ""},
		},
		{
			pattern: "PUT /api/v1/teams/{id}/members", id: "setTeamMembers", tag: "Directory", summary: "Replace a team's members",
			description: "Replaces the member list; an empty or omitted `member_ids` leaves the team without members.",
			params:      []obj{oaIDParam("team")},
			body: oaJSONBody(oaInput("", obj{
				"member_ids": oaArray(oaID(""), "Agents and admins; customers cannot be members."),
			})),
			status: 204, okDesc: "Replaced.",
			errors: map[int]string{422: "A member is unknown or a customer (field `member_ids[i]`)."},
		},

		// Tickets.
		{
			pattern: "GET /api/v1/tickets", id: "listTickets", tag: "Tickets", summary: "List tickets",
			description: "The tickets the caller may see that match every given filter, one page at a time. " +
				"List filters take several values separated by commas (`status=Open,Pending`) and match any of them. " +
				"With `q`, a query in Cairn's query language (CQL, see `docs/sla.md` and package `internal/cql`) chooses the tickets: " +
				"the other filters narrow its result further, and `sort`, when given, replaces its `ORDER BY`.",
			params: []obj{
				oaQuery("q", "A query in Cairn's query language, such as `service = \"Laptops\" AND priority >= High AND category != Done ORDER BY created DESC`. "+
					"Names of services, people, statuses and custom fields are checked; a mistake answers 422 with `field` `q` and a message that starts with its line and column. "+
					"Customers may not ask about `sla`.",
					obj{"type": "string", "maxLength": 10000, "examples": []string{"assignee = currentUser() AND category != Done", "sla = breached ORDER BY sla"}}),
				oaQueryList("status", "Status names, exactly as the workflows spell them.", obj{"type": "string"}),
				oaQueryList("category", "Status categories.", oaSchema("StatusCategory")),
				oaQueryList("type", "Ticket types.", oaSchema("TicketType")),
				oaQueryList("priority", "Priorities (letter case ignored).", oaSchema("Priority")),
				oaQuery("service", "A service, by id or name.", obj{"type": "string"}),
				oaQuery("request_type", "A request type, by id.", obj{"type": "integer", "minimum": 1}),
				oaQuery("assignee", "An assignee by id or email, `me` for the caller, or `none` for unassigned tickets.",
					obj{"type": "string", "examples": []string{"me", "none", "42", "ada@example.com"}}),
				oaQuery("reporter", "A reporter by id or email, or `me` for the caller.", obj{"type": "string", "examples": []string{"me", "42", "ada@example.com"}}),
				oaQuery("organization", "The organization a ticket is shared with, by id or name.", obj{"type": "string"}),
				oaQuery("team", "A team, by id or name.", obj{"type": "string"}),
				oaQuery("text", "Text found anywhere in the summary or description (letter case ignored).", obj{"type": "string"}),
				oaQuery("created_after", "Created at or after: a date (`2006-01-02`, midnight UTC) or an RFC 3339 time.", obj{"type": "string", "examples": []string{"2025-01-31", "2025-01-31T09:00:00Z"}}),
				oaQuery("created_before", "Created before: a date or an RFC 3339 time.", obj{"type": "string"}),
				oaQuery("updated_after", "Updated at or after: a date or an RFC 3339 time.", obj{"type": "string"}),
				oaQuery("resolved_after", "Last reached a done status at or after: a date or an RFC 3339 time. Open tickets never match.", obj{"type": "string"}),
				oaQuery("sort", "The order. `priority` ascending puts Highest first; `key` orders by creation; "+
					"`resolved` orders by the time of resolution (where open tickets fall depends on the database).",
					obj{"type": "string", "enum": sortFields, "default": "created"}),
				oaQuery("order", "The direction.", obj{"type": "string", "enum": []string{"asc", "desc"}, "default": "desc"}),
				oaLimit(store.MaxPage),
				oaOffset(),
			},
			status: 200, okDesc: "One page of tickets.", ok: oaSchema("TicketPage"),
			errors: map[int]string{
				400: "An unknown query parameter (code `unknown_parameter`, `field` names it).",
				422: "A filter value is invalid; `field` names the parameter. A mistake in `q` is reported on `q`, its message starting with the line and column (`line 1, column 7: …`).",
			},
		},
		{
			pattern: "POST /api/v1/tickets", id: "createTicket", tag: "Tickets", summary: "Raise a ticket",
			description: "Raises a ticket on a service, through one of its request types when its form is to be filled in. " +
				"The type may be left out when `request_type` is given. Customers may raise tickets only on live services, for themselves, " +
				"and may share them only with their own organization; `priority`, `assignee`, `team`, `channel` and another `reporter` are for agents. " +
				"Without a priority, an incident's is derived from impact and urgency and other tickets get Medium. The answer's `Location` header is the ticket's URL.",
			body: oaJSONBody(oaInput("", obj{
				"type":         oaDescribed("TicketType", "Required unless request_type is given; then it must match the request type's."),
				"service":      oaRefValue("The service, by id or name."),
				"request_type": oaRefValue("A request type of the service, by id or name."),
				"summary":      obj{"type": "string", "minLength": 1, "maxLength": ticket.MaxSummary, "description": "One line."},
				"description":  obj{"type": "string", "maxLength": ticket.MaxDescription},
				"priority":     oaDescribed("Priority", "Agents only."),
				"impact":       oaSchema("Level"),
				"urgency":      oaSchema("Level"),
				"fields":       obj{"type": "object", "additionalProperties": true, "description": "Values for the request type's form, by field key; see Field."},
				"reporter":     oaRefValue("Who it is for, by id or email; agents only (customers may name only themselves). Omitted: the caller."),
				"organization": oaRefValue("Share with this organization, by id or name; customers only with their own."),
				"assignee":     oaRefValue("An active agent, by id or email; agents only."),
				"team":         oaRefValue("A team, by id or name; agents only. Omitted: the service's owner team."),
				"channel":      oaDescribed("Channel", "How it came in; agents only. Omitted: `api`."),
			}, "service", "summary")),
			status: 201, okDesc: "The new ticket.", ok: oaSchema("Ticket"),
			okHeaders: obj{"Location": obj{"description": "The ticket's URL: `/api/v1/tickets/{key}`.", "schema": obj{"type": "string"}}},
			errors:    map[int]string{422: ""},
		},
		{
			pattern: "GET /api/v1/tickets/{key}", id: "getTicket", tag: "Tickets", summary: "Get a ticket",
			params: []obj{oaKeyParam},
			status: 200, okDesc: "The ticket.", ok: oaSchema("Ticket"),
		},
		{
			pattern: "PATCH /api/v1/tickets/{key}", id: "updateTicket", tag: "Tickets", summary: "Change a ticket",
			description: "Changes only the fields given; each change is recorded in the history. `null` clears a field that may be empty " +
				"(description, impact, urgency, assignee, team, organization); summary and priority cannot be null. `fields` is merged into the " +
				"current values, a `null` value removing that key. For an incident, changing impact or urgency without a priority derives the priority anew. " +
				"Customers may change only `organization` (to share their request with their own organization or stop sharing it); other fields give them 403.",
			params: []obj{oaKeyParam},
			body: oaJSONBody(oaInput("", obj{
				"summary":      obj{"type": "string", "minLength": 1, "maxLength": ticket.MaxSummary},
				"description":  obj{"type": []string{"string", "null"}, "maxLength": ticket.MaxDescription},
				"priority":     oaSchema("Priority"),
				"impact":       obj{"anyOf": []obj{oaSchema("Level"), {"type": "string", "const": ""}, {"type": "null"}}, "description": "Empty or null clears it."},
				"urgency":      obj{"anyOf": []obj{oaSchema("Level"), {"type": "string", "const": ""}, {"type": "null"}}, "description": "Empty or null clears it."},
				"assignee":     obj{"type": []string{"integer", "string", "null"}, "description": "An active agent by id or email; empty or null unassigns."},
				"team":         obj{"type": []string{"integer", "string", "null"}, "description": "A team by id or name; empty or null clears it."},
				"organization": obj{"type": []string{"integer", "string", "null"}, "description": "Share with this organization (id or name); empty or null stops sharing."},
				"fields":       obj{"type": []string{"object", "null"}, "additionalProperties": true, "description": "Form values to change, by key; a null value removes one."},
			})),
			status: 200, okDesc: "The ticket as changed.", ok: oaSchema("Ticket"),
			errors: map[int]string{403: "", 422: ""},
		},
		{
			pattern: "GET /api/v1/tickets/{key}/transitions", id: "listTransitions", tag: "Tickets", summary: "List available transitions",
			description: "The transitions the caller's role may take from the ticket's current status.",
			params:      []obj{oaKeyParam},
			status:      200, okDesc: "The transitions.", ok: oaWrap("transitions", "Transition"),
		},
		{
			pattern: "POST /api/v1/tickets/{key}/transitions", id: "transitionTicket", tag: "Tickets", summary: "Move a ticket along its workflow",
			description: "Takes a transition named by `to` (a transition id or name, or the status it leads to) or by `id` (not both). " +
				"A comment, a resolution and an assignee given here are saved with the move; the transition may require some of them. " +
				"A resolution is taken only by a transition to a done status (default `Done`).",
			params: []obj{oaKeyParam},
			body: oaJSONBody(oaInput("Give `to` or `id`.", obj{
				"to":         oaString("A transition id or name, or the status to move to."),
				"id":         oaString("A transition id; instead of `to`."),
				"comment":    obj{"type": "string", "maxLength": ticket.MaxComment, "description": "A comment to add with the move."},
				"internal":   oaBool("Make the comment an internal note (agents only)."),
				"resolution": obj{"type": "string", "maxLength": 100},
				"assignee":   oaRefValue("Assign to this active agent, by id or email (agents only)."),
			})),
			status: 200, okDesc: "The ticket after the move.", ok: oaSchema("Ticket"),
			errors: map[int]string{
				403: "The caller's role may not take this transition, or a session write lacks its CSRF token (code `forbidden`).",
				409: "No such transition leads from the ticket's current status (code `transition_not_allowed`).",
				422: "",
			},
		},
		{
			pattern: "GET /api/v1/tickets/{key}/comments", id: "listComments", tag: "Tickets", summary: "List comments",
			description: "Oldest first. Customers do not see internal notes.",
			params:      []obj{oaKeyParam},
			status:      200, okDesc: "The comments.", ok: oaWrap("comments", "Comment"),
		},
		{
			pattern: "POST /api/v1/tickets/{key}/comments", id: "addComment", tag: "Tickets", summary: "Comment on a ticket",
			params: []obj{oaKeyParam},
			body: oaJSONBody(oaInput("", obj{
				"body":     obj{"type": "string", "minLength": 1, "maxLength": ticket.MaxComment},
				"internal": oaBool("An internal note that customers never see (agents only)."),
			}, "body")),
			status: 201, okDesc: "The new comment.", ok: oaSchema("Comment"),
			errors: map[int]string{422: ""},
		},
		{
			pattern: "GET /api/v1/tickets/{key}/history", id: "ticketHistory", tag: "Tickets", summary: "Get a ticket's history",
			description: "Every event of the ticket, oldest first. Customers do not see internal notes being added.",
			params:      []obj{oaKeyParam},
			status:      200, okDesc: "The events.", ok: oaWrap("events", "Event"),
		},
		{
			pattern: "GET /api/v1/tickets/{key}/links", id: "listLinks", tag: "Tickets", summary: "List a ticket's links",
			description: "Links to tickets the caller may see, each read from this ticket.",
			params:      []obj{oaKeyParam},
			status:      200, okDesc: "The links.", ok: oaWrap("links", "Link"),
		},
		{
			pattern: "POST /api/v1/tickets/{key}/links", id: "addLink", tag: "Tickets", summary: "Link two tickets",
			description: "Links this ticket to another: `{\"kind\": \"caused_by\", \"ticket\": \"IT-7\"}` reads \"this ticket is caused by IT-7\".",
			params:      []obj{oaKeyParam},
			body: oaJSONBody(oaInput("", obj{
				"kind":   oaSchema("LinkKind"),
				"ticket": obj{"type": "string", "description": "The other ticket's key.", "examples": []string{"IT-7"}},
			}, "kind", "ticket")),
			status: 201, okDesc: "The new link, read from this ticket.", ok: oaSchema("Link"),
			errors: map[int]string{409: "The tickets are linked this way already (code `duplicate`).", 422: ""},
		},
		{
			pattern: "DELETE /api/v1/tickets/{key}/links/{id}", id: "deleteLink", tag: "Tickets", summary: "Remove a link",
			params: []obj{oaKeyParam, oaIDParam("link")},
			status: 204, okDesc: "Removed.",
		},
		{
			pattern: "GET /api/v1/tickets/{key}/attachments", id: "listAttachments", tag: "Tickets", summary: "List a ticket's files",
			params: []obj{oaKeyParam},
			status: 200, okDesc: "The attachments.", ok: oaWrap("attachments", "Attachment"),
		},
		{
			pattern: "POST /api/v1/tickets/{key}/attachments", id: "addAttachment", tag: "Tickets", summary: "Attach a file",
			description: fmt.Sprintf("Uploads one file as `multipart/form-data` in a part named `file`, at most %d MiB. "+
				"The part's file name and Content-Type are kept. Other parts are ignored. Browser sessions must send the CSRF token in the `%s` header.",
				ticket.MaxAttachment>>20, auth.CSRFHeader),
			params: []obj{oaKeyParam},
			body: obj{"required": true, "content": obj{"multipart/form-data": obj{
				"schema": oaObject("", obj{
					"file": obj{"type": "string", "format": "binary", "contentMediaType": "application/octet-stream", "description": "The file, with its file name."},
				}, "file"),
				"encoding": obj{"file": obj{"contentType": "*/*"}},
			}}},
			status: 201, okDesc: "The new attachment.", ok: oaSchema("Attachment"),
			errors: map[int]string{
				400: "The body is not multipart/form-data or cannot be read (code `invalid_body`, field `file`).",
				413: fmt.Sprintf("The file is larger than %d MiB (code `too_large`, field `file`).", ticket.MaxAttachment>>20),
				422: "No `file` part, an empty file, or a bad file name (code `required_field` or `invalid_field`).",
			},
		},
		{
			pattern: "GET /api/v1/tickets/{key}/attachments/{id}", id: "getAttachment", tag: "Tickets", summary: "Download a file",
			description: "The file's bytes, served as a download (`Content-Disposition: attachment`) with the Content-Type it was uploaded with " +
				"and `Content-Security-Policy: sandbox`, so that an uploaded page cannot run in Cairn's origin.",
			params:    []obj{oaKeyParam, oaIDParam("attachment")},
			status:    200,
			okDesc:    "The file.",
			okContent: obj{"*/*": obj{"schema": obj{"type": "string", "format": "binary", "contentMediaType": "application/octet-stream"}}},
			okHeaders: obj{
				"Content-Disposition": obj{"description": "`attachment` with the file name.", "schema": obj{"type": "string"}},
				"Content-Length":      obj{"schema": obj{"type": "integer"}},
			},
		},

		// Unguarded.
		{
			pattern: "GET " + openAPIPath, id: "getOpenAPI", tag: "Meta", summary: "This document",
			description: "The OpenAPI 3.1 description of the API. It needs no credentials: it is served outside the authentication guard.",
			status:      200, okDesc: "The OpenAPI document.", ok: obj{"type": "object", "description": "An OpenAPI 3.1 document."},
		},
		{
			pattern: "GET /healthz", id: "healthz", tag: "Operations", summary: "Liveness",
			description: "Answers as long as the process serves HTTP. Served outside the API; no credentials.",
			status:      200, okDesc: "Alive.",
			okContent: obj{"text/plain": obj{"schema": obj{"type": "string", "const": "ok\n"}}},
		},
		{
			pattern: "GET /readyz", id: "readyz", tag: "Operations", summary: "Readiness",
			description: "Checks that the database answers within 2 seconds. Served outside the API; no credentials.",
			status:      200, okDesc: "Ready to serve.",
			okContent: obj{"text/plain": obj{"schema": obj{"type": "string", "const": "ready\n"}}},
			errors:    map[int]string{503: "The database is unavailable (text/plain `database unavailable`)."},
		},
		{
			pattern: "GET /metrics", id: "metrics", tag: "Operations", summary: "Prometheus metrics",
			description: "Process, Go runtime and HTTP request metrics in the Prometheus exposition format (OpenMetrics when asked for). Served outside the API; no credentials.",
			status:      200, okDesc: "The metrics.",
			okContent: obj{
				"text/plain":                   obj{"schema": obj{"type": "string"}},
				"application/openmetrics-text": obj{"schema": obj{"type": "string"}},
			},
		},
	}
}

// Change enablement and service request fulfilment (changes.go).

// oaWithChangeSchemas adds the schemas of changes.go to the others.
func oaWithChangeSchemas(schemas obj) obj {
	maps.Copy(schemas, oaChangeSchemas())
	return schemas
}

func oaChangeSchemas() obj {
	decisions := []change.Decision{change.Pending, change.Approved, change.Declined, change.Canceled}
	taskStatuses := []fulfilment.Status{fulfilment.StatusWaiting, fulfilment.StatusOpen, fulfilment.StatusDone, fulfilment.StatusCanceled}
	window := oaObject("A period: from start (included) to end (excluded).", obj{"start": oaTime(""), "end": oaTime("")}, "start", "end")
	text := func(desc string) obj { return obj{"type": "string", "maxLength": change.MaxText, "description": desc} }
	return obj{
		"ChangeType": oaEnum("How a change is approved: standard changes are pre-approved by their template, normal changes by the rules "+
			"that match their risk, emergency changes by the emergency CAB (any one approver).", change.Types...),
		"RiskLevel":        oaEnum("The risk of a change, from least to most.", change.Levels...),
		"ApprovalDecision": oaEnum("Where an approval, a step or a ticket's whole approval stands; canceled means withdrawn, no longer needed.", decisions...),
		"QuorumKind":       oaEnum("How many approvers of a step must approve: all, any one, or `count` of them.", change.QuorumAll, change.QuorumAny, change.QuorumCount),
		"ApproverKind": oaEnum("Where a rule finds approvers: a team (such as a CAB), the owner teams of the services, the owner teams of the change's CIs, "+
			"named users, or the user a request's form field names (such as the requester's manager).", change.ApproverKinds...),
		"ChangeOutcome":    oaEnum("How the implementation of a change ended.", change.Outcomes...),
		"DeploymentStatus": oaEnum("What a pipeline reports of a run.", change.DeploymentStatuses...),
		"TaskStatus":       oaEnum("Where a fulfilment task stands: waiting for its stage, open, done, or canceled with its request.", taskStatuses...),
		"ConflictKind":     oaEnum("What a change runs into.", change.ConflictCollision, change.ConflictFreeze),
		"Window":           window,

		"ChangeRecord": oaObject("What a change adds to its ticket.", obj{
			"key":                 oaString("The change ticket's key."),
			"type":                oaSchema("ChangeType"),
			"template_id":         oaID("The standard change template it follows; absent for other changes."),
			"template":            oaString("The template's name; absent for other changes."),
			"planned_start":       oaTime("Absent until planned."),
			"planned_end":         oaTime("Absent until planned."),
			"implementation_plan": text(""),
			"backout_plan":        text(""),
			"service_ids":         oaArray(oaID(""), "Every service it touches: its ticket's, those its plan names, and those its CIs carry (as last worked out)."),
			"planned_service_ids": oaArray(oaID(""), "The services its plan names beyond its ticket's."),
			"ci_ids":              oaArray(oaID(""), "The CIs its ticket names."),
			"risk":                oaDescribed("RiskAssessment", "Absent until assessed."),
			"review":              oaDescribed("ChangeReview", "Absent until reviewed."),
			"updated_at":          oaTime("Absent until the record is first written (a change raised through the ticket API)."),
		}, "key", "type", "implementation_plan", "backout_plan", "service_ids", "planned_service_ids", "ci_ids"),

		"RiskContribution": oaObject("One line of a risk's explanation: what added how many points.", obj{
			"factor": obj{"type": "string", "enum": []string{"answer", "criticality", "services", "template"}},
			"label":  oaString("The question, or the factor, for people."),
			"detail": oaString("The answer given, or the factor's value."),
			"points": obj{"type": "integer", "minimum": 0},
		}, "factor", "label", "detail", "points"),
		"RiskThresholds": oaObject("The scores from which a change is medium, high and critical risk; below medium it is low.", obj{
			"medium": obj{"type": "integer", "minimum": 1}, "high": obj{"type": "integer"}, "critical": obj{"type": "integer"},
		}, "medium", "high", "critical"),
		"RiskAssessment": oaObject("A change's scored risk and why.", obj{
			"level":          oaSchema("RiskLevel"),
			"score":          obj{"type": "integer", "minimum": 0},
			"answers":        obj{"type": "object", "additionalProperties": obj{"type": "string"}, "description": "Question key → the answer given."},
			"contributions":  oaArray(oaSchema("RiskContribution"), "What added the points, in order."),
			"thresholds":     oaSchema("RiskThresholds"),
			"assessed_by_id": oaID("Absent for a standard change's preset risk made by Cairn."),
			"assessed_by":    oaString(""),
			"assessed_at":    oaTime(""),
		}, "level", "score", "answers", "contributions", "thresholds", "assessed_by", "assessed_at"),
		"RiskOption": oaObject("An answer and the points it adds.", obj{
			"label": oaString(""), "score": obj{"type": "integer", "minimum": 0, "maximum": 100},
		}, "label", "score"),
		"RiskQuestion": oaObject("A question of the risk questionnaire.", obj{
			"key":     obj{"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$", "description": "Names the answer; keep it when the text changes."},
			"text":    obj{"type": "string", "maxLength": 500},
			"help":    obj{"type": "string", "maxLength": 2000},
			"options": obj{"type": "array", "items": oaSchema("RiskOption"), "minItems": 2, "maxItems": 20},
		}, "key", "text", "options"),
		"RiskModel": oaObject("The risk questionnaire and the weights of the other factors. The score is the sum of the answers' points, "+
			"the points of the most critical CI the change touches or could take down (upstream in the CMDB), and service_points for "+
			"each affected service beyond the first (at most max_service_points).", obj{
			"questions":          obj{"type": "array", "items": oaSchema("RiskQuestion"), "maxItems": 50},
			"criticality_points": obj{"type": "object", "additionalProperties": obj{"type": "integer", "minimum": 0, "maximum": 100}, "description": "CI criticality (low, medium, high, critical) → points."},
			"service_points":     obj{"type": "integer", "minimum": 0, "maximum": 100},
			"max_service_points": obj{"type": "integer", "minimum": 0, "maximum": 100},
			"thresholds":         oaSchema("RiskThresholds"),
		}, "questions", "criticality_points", "service_points", "max_service_points", "thresholds"),

		"ChangeReview": oaObject("The post-implementation review of a change.", obj{
			"outcome":        oaSchema("ChangeOutcome"),
			"summary":        text("What was done and how it went."),
			"went_well":      text(""),
			"went_wrong":     text("Required unless the change succeeded."),
			"follow_up":      text("Actions and problems raised."),
			"reviewed_by_id": oaID(""),
			"reviewed_by":    oaString(""),
			"reviewed_at":    oaTime(""),
		}, "outcome", "summary", "went_well", "went_wrong", "follow_up", "reviewed_by_id", "reviewed_by", "reviewed_at"),

		"ChangeTemplate": oaObject("A standard change of the library: pre-approved work with a preset risk (low or medium).", obj{
			"id":                  oaID(""),
			"name":                obj{"type": "string", "maxLength": 200},
			"description":         text(""),
			"implementation_plan": text(""),
			"backout_plan":        text(""),
			"risk":                oaSchema("RiskLevel"),
			"service_id":          oaID("The service its changes are on by default; absent when none."),
			"active":              oaBool("Retired templates (false) raise no new changes."),
			"created_at":          oaTime(""),
			"updated_at":          oaTime(""),
		}, "id", "name", "description", "implementation_plan", "backout_plan", "risk", "active", "created_at", "updated_at"),

		"Quorum": oaObject("How many approvals a step needs.", obj{
			"kind":  oaSchema("QuorumKind"),
			"count": obj{"type": "integer", "minimum": 1, "maximum": 100, "description": "N, for kind count; absent otherwise."},
		}, "kind"),
		"ApprovalRule": oaObject("Chooses approvers: a change rule (no request_type_id) for the normal or emergency changes from a risk up, "+
			"or a rule of one service request type, whose requests then wait for approval. Each rule that applies is one step of a ticket's approval.", obj{
			"id":              oaID(""),
			"name":            oaString(""),
			"request_type_id": oaID("The request type it belongs to; absent for a change rule."),
			"change_types":    oaArray(oaSchema("ChangeType"), "normal and/or emergency; empty for a request type's rule. Emergency steps need any one approver, whatever the quorum."),
			"min_risk":        oaDescribed("RiskLevel", "Applies from this risk up; absent: any risk."),
			"approver":        oaSchema("ApproverKind"),
			"team_id":         oaID("For approver team."),
			"user_ids":        oaArray(oaID(""), "For approver users."),
			"field_key":       oaString("For approver field: a user field of the request type's form."),
			"quorum":          oaSchema("Quorum"),
			"decline_vetoes":  oaBool("One decline declines the step; otherwise a step is declined once its quorum cannot be reached."),
			"active":          oaBool(""),
			"position":        obj{"type": "integer", "description": "Rules are applied in this order."},
			"created_at":      oaTime(""),
			"updated_at":      oaTime(""),
		}, "id", "name", "change_types", "approver", "user_ids", "quorum", "decline_vetoes", "active", "position", "created_at", "updated_at"),
		"Approval": oaObject("One approver's part in a step.", obj{
			"id":          oaID(""),
			"approver_id": oaID(""),
			"approver":    oaString("The approver's name."),
			"status":      oaSchema("ApprovalDecision"),
			"comment":     oaString("Absent when none."),
			"decided_at":  oaTime("Absent while pending."),
		}, "id", "approver_id", "approver", "status"),
		"ApprovalStep": oaObject("One rule applied to a ticket, with the approvers resolved when approval was asked for. The reporter never approves their own ticket.", obj{
			"id":             oaID(""),
			"name":           oaString("The rule's name."),
			"quorum":         oaSchema("Quorum"),
			"needed":         obj{"type": "integer", "minimum": 0, "description": "Approvals that reach the quorum."},
			"decline_vetoes": oaBool(""),
			"status":         oaSchema("ApprovalDecision"),
			"note":           oaString("Why the step was canceled (no approver found, withdrawn); absent otherwise."),
			"created_at":     oaTime(""),
			"decided_at":     oaTime("Absent while pending."),
			"approvals":      oaArray(oaSchema("Approval"), ""),
		}, "id", "name", "quorum", "needed", "decline_vetoes", "status", "created_at", "approvals"),
		"ApprovalState": oaObject("A ticket's approval: declined as soon as one step is, approved when every step is. "+
			"The decision that settles it moves the ticket on at once, as Cairn: a change to Scheduled or Declined, "+
			"a service request to In progress (opening its tasks) or Canceled.", obj{
			"decision": oaDescribed("ApprovalDecision", "Absent when approval was never asked for; canceled when every step was."),
			"steps":    oaArray(oaSchema("ApprovalStep"), "Oldest first."),
		}, "steps"),
		"PendingApproval": oaObject("An approval waiting for its approver.", obj{
			"id":           oaID("The approval's id."),
			"ticket":       oaSchema("Ticket"),
			"step":         oaString("The step's name."),
			"quorum":       oaString("The step's quorum for people: `all 3`, `any one of 4`, `2 of 3`."),
			"change":       oaDescribed("ChangeRecord", "For a change: its plan, window and risk."),
			"link":         oaString("The one-click link (`/approve/<token>`), signed by the server, for this approver only. GET shows a confirmation page, POST decides."),
			"link_expires": oaTime(""),
			"created_at":   oaTime(""),
		}, "id", "ticket", "step", "quorum", "link", "link_expires", "created_at"),

		"ChangeConflict": oaObject("Something a change runs into: another open change on a shared CI or service in an overlapping window, or a freeze window. "+
			"A change the caller may not see is named without its key.", obj{
			"kind":        oaSchema("ConflictKind"),
			"change":      oaString("The other change's key (collisions it may see)."),
			"freeze_id":   oaID("The freeze window (freezes)."),
			"name":        oaString("The other change's summary or the freeze's name."),
			"service_ids": oaArray(oaID(""), "The services shared."),
			"ci_ids":      oaArray(oaID(""), "The CIs shared."),
			"overlap":     oaSchema("Window"),
			"message":     oaString(""),
		}, "kind", "name", "service_ids", "ci_ids", "overlap", "message"),
		"FreezeWindow": oaObject("A period without changes on some services, or all.", obj{
			"id":           oaID(""),
			"name":         obj{"type": "string", "maxLength": 200},
			"reason":       oaString(""),
			"start":        oaTime(""),
			"end":          oaTime(""),
			"all_services": oaBool(""),
			"service_ids":  oaArray(oaID(""), "Empty when it freezes all services."),
			"created_at":   oaTime(""),
		}, "id", "name", "reason", "start", "end", "all_services", "service_ids", "created_at"),
		"CalendarEntry": oaObject("A change on the calendar.", obj{
			"ticket":      oaSchema("Ticket"),
			"type":        oaSchema("ChangeType"),
			"risk":        oaDescribed("RiskLevel", "Absent until assessed."),
			"window":      oaSchema("Window"),
			"service_ids": oaArray(oaID(""), ""),
			"ci_ids":      oaArray(oaID(""), ""),
			"conflicts":   oaArray(oaSchema("ChangeConflict"), ""),
		}, "ticket", "type", "window", "service_ids", "ci_ids", "conflicts"),
		"ChangeCalendar": oaObject("The planned changes of a period, its freeze windows, and every conflict.", obj{
			"from":    oaTime(""),
			"to":      oaTime(""),
			"changes": oaArray(oaSchema("CalendarEntry"), "By planned start."),
			"freezes": oaArray(oaSchema("FreezeWindow"), ""),
		}, "from", "to", "changes", "freezes"),

		"Deployment": oaObject("One run of a pipeline into an environment.", obj{
			"id":          oaID(""),
			"pipeline":    oaString(""),
			"environment": oaString("In lower case."),
			"version":     oaString(""),
			"status":      oaSchema("DeploymentStatus"),
			"commit":      oaString(""),
			"link":        obj{"type": "string", "format": "uri"},
			"service_id":  oaID(""),
			"service":     oaString(""),
			"change":      oaString("The key of the change that covers it; absent when none."),
			"gated":       oaBool("The environment needed an approved change."),
			"reported_by": oaString(""),
			"started_at":  oaTime(""),
			"finished_at": oaTime("Absent while running."),
		}, "id", "pipeline", "environment", "version", "status", "service_id", "service", "gated", "reported_by", "started_at"),
		"GateDecision": oaObject("Whether a deployment may go ahead, and why.", obj{
			"allowed": oaBool(""),
			"gated":   oaBool("The environment needs an approved change."),
			"reason": obj{"type": "string", "enum": []string{change.ReasonNotGated, change.ReasonCovered, change.ReasonRunFinished, change.ReasonNoChange,
				change.ReasonNotApproved, change.ReasonOutsideWindow, change.ReasonOtherService}},
			"message":     oaString(""),
			"change":      oaString("The change that covers it, or the change named."),
			"environment": oaString(""),
		}, "allowed", "gated", "reason", "message", "environment"),
		"DeploymentAnswer": oaObject("The gate's decision with the deployment recorded.", obj{
			"allowed": oaBool(""), "gated": oaBool(""), "reason": oaString("A GateDecision reason."), "message": oaString(""),
			"change": oaString(""), "environment": oaString(""),
			"deployment": oaSchema("Deployment"),
		}, "allowed", "gated", "reason", "message", "environment"),
		"ChangeView": oaObject("A change with its record, approval, conflicts and deployments.", obj{
			"ticket":      oaSchema("Ticket"),
			"change":      oaSchema("ChangeRecord"),
			"approval":    oaSchema("ApprovalState"),
			"conflicts":   oaArray(oaSchema("ChangeConflict"), ""),
			"deployments": oaArray(oaSchema("Deployment"), "The newest 50 the caller may see."),
		}, "ticket", "change", "approval", "conflicts", "deployments"),
		"ChangeSettings": oaObject("Settings of change enablement.", obj{
			"gated_environments": oaArray(obj{"type": "string", "maxLength": 100}, "Environments (lower case) whose deployments need an approved change; default `production`."),
		}, "gated_environments"),
		"ChangeRate": oaObject("How a service's reviewed changes ended.", obj{
			"service_id": oaID(""), "service": oaString(""),
			"reviewed":   obj{"type": "integer", "minimum": 0},
			"succeeded":  obj{"type": "integer", "minimum": 0},
			"failed":     obj{"type": "integer", "minimum": 0},
			"backed_out": obj{"type": "integer", "minimum": 0},
			"rate":       obj{"type": "number", "minimum": 0, "maximum": 1, "description": "succeeded / reviewed; 0 when none."},
		}, "service_id", "service", "reviewed", "succeeded", "failed", "backed_out", "rate"),

		"TaskTemplate": oaObject("A task of a request type's plan. Tasks of one stage run in parallel; a stage opens when the stages before it are done.", obj{
			"name":        obj{"type": "string", "maxLength": 200},
			"description": oaString(""),
			"team_id":     oaID(""),
			"team":        obj{"type": "string", "readOnly": true},
			"stage":       obj{"type": "integer", "minimum": 1, "maximum": 100},
		}, "name", "description", "team_id", "stage"),
		"Task": oaObject("A fulfilment task of a service request, for a team.", obj{
			"id":          oaID(""),
			"ticket":      oaString("The request's key."),
			"request":     oaString("The request's summary."),
			"number":      obj{"type": "integer", "minimum": 1},
			"name":        oaString(""),
			"description": oaString(""),
			"stage":       obj{"type": "integer", "minimum": 1},
			"team_id":     oaID(""),
			"team":        oaString(""),
			"status":      oaSchema("TaskStatus"),
			"note":        oaString("What the team wrote when it finished."),
			"done_by_id":  oaID(""),
			"done_by":     oaString(""),
			"created_at":  oaTime(""),
			"opened_at":   oaTime(""),
			"done_at":     oaTime(""),
		}, "id", "ticket", "request", "number", "name", "description", "stage", "team_id", "team", "status", "created_at"),
		"RequestFulfilment": oaObject("How a request type's requests are fulfilled: the rules they wait for, then the tasks made from the plan. "+
			"When the last task is done the request is resolved (resolution Fulfilled).", obj{
			"request_type_id": oaID(""),
			"approval_rules":  oaArray(oaSchema("ApprovalRule"), "Empty: no approval."),
			"tasks":           oaArray(oaSchema("TaskTemplate"), "By stage."),
		}, "request_type_id", "approval_rules", "tasks"),
	}
}

func oaChangeOperations() []oaOp {
	keyParam := oaPathParam("key", "The change's key, such as `IT-42`.", obj{"type": "string"})
	text := func(desc string) obj { return obj{"type": "string", "maxLength": change.MaxText, "description": desc} }
	period := []obj{
		oaQuery("month", "A month, `2026-11`; instead of from and to.", obj{"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}),
		oaQuery("from", "From this date or RFC 3339 time.", obj{"type": "string"}),
		oaQuery("to", "Until this date or RFC 3339 time (excluded).", obj{"type": "string"}),
	}
	planState := "The change is not in Planning (code `change_not_in_planning`)."
	templateBody := oaJSONBody(oaInput("", obj{
		"name":                obj{"type": "string", "maxLength": 200},
		"description":         text(""),
		"implementation_plan": text(""),
		"backout_plan":        text(""),
		"risk":                oaDescribed("RiskLevel", "low or medium."),
		"service":             oaRefValue("The default service, by id or name."),
		"active":              oaBool("Default true."),
	}, "name", "implementation_plan", "risk"))
	ruleBody := oaJSONBody(oaInput("", obj{
		"name":            oaString(""),
		"request_type_id": oaID("Makes it a rule of this service request type."),
		"change_types":    oaArray(oaSchema("ChangeType"), "For a change rule: normal and/or emergency."),
		"min_risk":        oaSchema("RiskLevel"),
		"approver":        oaSchema("ApproverKind"),
		"team":            oaRefValue("For approver team: by id or name."),
		"users":           oaArray(oaRefValue(""), "For approver users: by id or email."),
		"field_key":       oaString("For approver field."),
		"quorum":          oaSchema("QuorumKind"),
		"quorum_count":    obj{"type": "integer", "minimum": 1, "maximum": 100},
		"decline_vetoes":  oaBool("Default true."),
		"active":          oaBool("Default true."),
		"position":        obj{"type": "integer"},
	}, "name", "approver", "quorum"))
	riskModelBody := oaJSONBody(oaInput("", obj{
		"questions": obj{"type": "array", "items": oaSchema("RiskQuestion")}, "criticality_points": obj{"type": "object", "additionalProperties": obj{"type": "integer"}},
		"service_points": obj{"type": "integer"}, "max_service_points": obj{"type": "integer"}, "thresholds": oaSchema("RiskThresholds"),
	}, "questions", "thresholds"))
	return []oaOp{
		{
			pattern: "GET /api/v1/change-calendar", id: "changeCalendar", tag: "Changes", summary: "The change calendar",
			description: "The planned changes the caller may see whose window overlaps the period (default: this month; at most 100 days), " +
				"the freeze windows of the period, and each change's conflicts, found among all changes.",
			params: append(slices.Clone(period), oaQuery("service", "Only changes that touch this service, by id or name.", obj{"type": "string"})),
			status: 200, okDesc: "The calendar.", ok: oaSchema("ChangeCalendar"),
			errors: map[int]string{400: "An unknown query parameter (code `unknown_parameter`).", 422: ""},
		},
		{
			pattern: "POST /api/v1/changes", id: "createChange", tag: "Changes", summary: "Raise a change",
			description: "Raises a change ticket with its record. A standard change names a template of the library, which fills in the summary, " +
				"description, plans and service when they are left out; it needs a planned window, takes the template's risk and moves through " +
				"the workflow to Scheduled at once, as Cairn. Normal and emergency changes start in Planning. The answer's `Location` is the change's URL.",
			body: oaJSONBody(oaInput("", obj{
				"type":                oaDescribed("ChangeType", "Default normal."),
				"template":            oaRefValue("Standard changes: a template by id or name."),
				"service":             oaRefValue("The service, by id or name; a standard change may take its template's."),
				"summary":             obj{"type": "string", "maxLength": ticket.MaxSummary},
				"description":         obj{"type": "string", "maxLength": ticket.MaxDescription},
				"priority":            oaSchema("Priority"),
				"assignee":            oaRefValue("An agent, by id or email."),
				"team":                oaRefValue("A team, by id or name."),
				"planned_start":       oaTime(""),
				"planned_end":         oaTime(""),
				"implementation_plan": text(""),
				"backout_plan":        text(""),
				"services":            oaArray(oaRefValue(""), "Other services the change touches, by id or name."),
			})),
			status: 201, okDesc: "The new change.", ok: oaSchema("ChangeView"),
			okHeaders: obj{"Location": obj{"description": "`/api/v1/changes/{key}`.", "schema": obj{"type": "string"}}},
			errors:    map[int]string{422: ""},
		},
		{
			pattern: "GET /api/v1/changes/{key}", id: "getChange", tag: "Changes", summary: "Get a change",
			description: "A change the caller may see, with its record, approval, conflicts and deployments.",
			params:      []obj{keyParam},
			status:      200, okDesc: "The change.", ok: oaSchema("ChangeView"),
		},
		{
			pattern: "PATCH /api/v1/changes/{key}", id: "planChange", tag: "Changes", summary: "Plan a change",
			description: "Changes the plan of a change in Planning; after that it is what the approvers approve. `planned_start` and `planned_end` " +
				"go together (both null clears the window). What the change touches is worked out again, its CIs' services included. " +
				"A change becomes standard, or stops being standard, only by being raised again.",
			params: []obj{keyParam},
			body: oaJSONBody(oaInput("", obj{
				"type":                oaDescribed("ChangeType", "normal or emergency."),
				"planned_start":       obj{"type": []string{"string", "null"}, "format": "date-time"},
				"planned_end":         obj{"type": []string{"string", "null"}, "format": "date-time"},
				"implementation_plan": text(""),
				"backout_plan":        text(""),
				"services":            oaArray(oaRefValue(""), "Replaces the other services the change touches."),
			})),
			status: 200, okDesc: "The change.", ok: oaSchema("ChangeView"),
			errors: map[int]string{409: planState, 422: ""},
		},
		{
			pattern: "POST /api/v1/changes/{key}/risk", id: "assessChange", tag: "Changes", summary: "Assess a change's risk",
			description: "Scores the risk of a change in Planning from the answers to every question of the questionnaire (GET /api/v1/risk-model), " +
				"the criticality of the CIs it touches or could take down and the number of services it affects; keeps the result with its explanation.",
			params: []obj{keyParam},
			body: oaJSONBody(oaInput("", obj{
				"answers": obj{"type": "object", "additionalProperties": obj{"type": "string"}, "description": "Question key → one of its answers' labels (letter case ignored)."},
			}, "answers")),
			status: 200, okDesc: "The assessment.", ok: oaSchema("RiskAssessment"),
			errors: map[int]string{409: planState + " Or it is a standard change (code `standard_change`).", 422: "A question is unanswered or answered with no option of it (`field` answers.<key>)."},
		},
		{
			pattern: "POST /api/v1/changes/{key}/submit", id: "submitChange", tag: "Changes", summary: "Submit a change for approval",
			description: "Moves a normal or emergency change from Planning to Awaiting approval and asks its approvers: one step per rule that applies to its " +
				"type and risk, or the owner team of its service when none does. A normal change needs its risk assessed; both need a planned window. " +
				"A change moved to Awaiting approval by the plain workflow transition gets its approvers here.",
			params: []obj{keyParam},
			body:   oaJSONBody(oaInput("", obj{"comment": oaString("An internal note to add.")})),
			status: 200, okDesc: "The change, awaiting approval.", ok: oaSchema("ChangeView"),
			errors: map[int]string{
				409: "The change cannot be submitted now (codes `transition_not_allowed`, `standard_change`, `approval_pending`), or a step finds too few approvers (code `no_approvers`).",
				422: "The window or the risk is missing (`field` planned_start or risk).",
			},
		},
		{
			pattern: "POST /api/v1/changes/{key}/review", id: "reviewChange", tag: "Changes", summary: "Review a change",
			description: "Records the outcome and the post-implementation review of an implemented change. A change Implementing or in Review moves on: " +
				"to Completed when it succeeded, to Failed otherwise.",
			params: []obj{keyParam},
			body: oaJSONBody(oaInput("", obj{
				"outcome": oaSchema("ChangeOutcome"), "summary": text(""), "went_well": text(""), "went_wrong": text("Required unless it succeeded."), "follow_up": text(""),
			}, "outcome", "summary")),
			status: 200, okDesc: "The change.", ok: oaSchema("ChangeView"),
			errors: map[int]string{409: "The change was not implemented (code `change_not_implemented`).", 422: ""},
		},
		{
			pattern: "GET /api/v1/change-success-rate", id: "changeSuccessRate", tag: "Changes", summary: "Change success rate per service",
			description: "For each service, how its changes reviewed in the period ended (a change counts for its ticket's service); only changes the caller may see.",
			params:      slices.Clone(period)[1:],
			status:      200, okDesc: "The rates, by service name.", ok: oaWrap("services", "ChangeRate"),
			errors: map[int]string{400: "An unknown query parameter (code `unknown_parameter`).", 422: ""},
		},
		{
			pattern: "GET /api/v1/change-templates", id: "listChangeTemplates", tag: "Changes", summary: "The standard change library",
			params: []obj{oaQuery("active", "`true` leaves out retired templates.", obj{"type": "string", "enum": []string{"true", "false"}})},
			status: 200, okDesc: "The templates, by name.", ok: oaWrap("templates", "ChangeTemplate"),
			errors: map[int]string{400: "An unknown query parameter (code `unknown_parameter`)."},
		},
		{
			pattern: "POST /api/v1/change-templates", id: "createChangeTemplate", tag: "Changes", summary: "Add a standard change template",
			body: templateBody, status: 201, okDesc: "The template.", ok: oaSchema("ChangeTemplate"),
			errors: map[int]string{409: "A template has that name (code `duplicate`).", 422: ""},
		},
		{
			pattern: "PUT /api/v1/change-templates/{id}", id: "updateChangeTemplate", tag: "Changes", summary: "Replace a standard change template",
			params: []obj{oaIDParam("template")}, body: templateBody, status: 200, okDesc: "The template.", ok: oaSchema("ChangeTemplate"),
			errors: map[int]string{409: "A template has that name (code `duplicate`).", 422: ""},
		},
		{
			pattern: "GET /api/v1/risk-model", id: "getRiskModel", tag: "Changes", summary: "The risk questionnaire",
			status: 200, okDesc: "The model.", ok: oaSchema("RiskModel"),
		},
		{
			pattern: "PUT /api/v1/risk-model", id: "putRiskModel", tag: "Changes", summary: "Replace the risk questionnaire",
			description: "Replaces the questionnaire and weights as a whole. Assessments made before keep their answers and explanation.",
			body:        riskModelBody, status: 200, okDesc: "The model.", ok: oaSchema("RiskModel"),
			errors: map[int]string{422: ""},
		},
		{
			pattern: "GET /api/v1/change-settings", id: "getChangeSettings", tag: "Deployments", summary: "Settings of change enablement",
			status: 200, okDesc: "The settings.", ok: oaSchema("ChangeSettings"),
		},
		{
			pattern: "PUT /api/v1/change-settings", id: "putChangeSettings", tag: "Deployments", summary: "Replace the settings of change enablement",
			body:   oaJSONBody(oaInput("", obj{"gated_environments": oaArray(oaString(""), "")}, "gated_environments")),
			status: 200, okDesc: "The settings.", ok: oaSchema("ChangeSettings"),
			errors: map[int]string{422: ""},
		},
		{
			pattern: "GET /api/v1/freeze-windows", id: "listFreezeWindows", tag: "Changes", summary: "Freeze windows",
			description: "Every freeze window, or those that overlap from–to.",
			params:      slices.Clone(period)[1:],
			status:      200, okDesc: "The freeze windows, by start.", ok: oaWrap("freeze_windows", "FreezeWindow"),
			errors: map[int]string{400: "An unknown query parameter (code `unknown_parameter`).", 422: ""},
		},
		{
			pattern: "POST /api/v1/freeze-windows", id: "createFreezeWindow", tag: "Changes", summary: "Add a freeze window",
			body: oaJSONBody(oaInput("", obj{
				"name": obj{"type": "string", "maxLength": 200}, "reason": oaString(""), "start": oaTime(""), "end": oaTime(""),
				"all_services": oaBool("Freeze every service."), "services": oaArray(oaRefValue(""), "Or these, by id or name."),
			}, "name", "start", "end")),
			status: 201, okDesc: "The freeze window.", ok: oaSchema("FreezeWindow"),
			errors: map[int]string{422: ""},
		},
		{
			pattern: "DELETE /api/v1/freeze-windows/{id}", id: "deleteFreezeWindow", tag: "Changes", summary: "Remove a freeze window",
			params: []obj{oaIDParam("freeze window")}, status: 204, okDesc: "Removed.",
		},
		{
			pattern: "GET /api/v1/approval-rules", id: "listApprovalRules", tag: "Approvals", summary: "Approval rules",
			params: []obj{
				oaQuery("request_type", "The rules of this request type.", obj{"type": "integer", "minimum": 1}),
				oaQuery("changes", "`true`: the change rules only.", obj{"type": "string", "enum": []string{"true", "false"}}),
			},
			status: 200, okDesc: "The rules, in the order they apply.", ok: oaWrap("rules", "ApprovalRule"),
			errors: map[int]string{400: "An unknown query parameter (code `unknown_parameter`).", 422: ""},
		},
		{
			pattern: "POST /api/v1/approval-rules", id: "createApprovalRule", tag: "Approvals", summary: "Add an approval rule",
			body: ruleBody, status: 201, okDesc: "The rule.", ok: oaSchema("ApprovalRule"),
			errors: map[int]string{422: ""},
		},
		{
			pattern: "PUT /api/v1/approval-rules/{id}", id: "updateApprovalRule", tag: "Approvals", summary: "Replace an approval rule",
			description: "Steps already made keep the quorum they were made with.",
			params:      []obj{oaIDParam("rule")}, body: ruleBody, status: 200, okDesc: "The rule.", ok: oaSchema("ApprovalRule"),
			errors: map[int]string{422: ""},
		},
		{
			pattern: "DELETE /api/v1/approval-rules/{id}", id: "deleteApprovalRule", tag: "Approvals", summary: "Remove an approval rule",
			params: []obj{oaIDParam("rule")}, status: 204, okDesc: "Removed.",
		},
		{
			pattern: "GET /api/v1/approvals", id: "myApprovals", tag: "Approvals", summary: "My pending approvals",
			description: "The approvals waiting for the caller, oldest first, each with its one-click link. Approvers may be customers " +
				"(a request's form can name a manager) and see what they approve even where they could not see the ticket otherwise.",
			status: 200, okDesc: "The approvals.", ok: oaWrap("approvals", "PendingApproval"),
			errors: map[int]string{400: "An unknown query parameter (code `unknown_parameter`)."},
		},
		{
			pattern: "GET /api/v1/tickets/{key}/approvals", id: "ticketApprovals", tag: "Approvals", summary: "A ticket's approval",
			description: "For the ticket's approvers and for those who may see the ticket.",
			params:      []obj{oaKeyParam},
			status:      200, okDesc: "The approval.", ok: oaSchema("ApprovalState"),
		},
		{
			pattern: "POST /api/v1/tickets/{key}/approvals", id: "decideApproval", tag: "Approvals", summary: "Approve or decline",
			description: "Records the caller's decision on every approval of theirs pending on the ticket. A decline needs a comment. " +
				"The decision is also a comment on the ticket (an internal note on a change). When it settles the approval, the ticket moves on in the same transaction.",
			params: []obj{oaKeyParam},
			body: oaJSONBody(oaInput("", obj{
				"decision": obj{"type": "string", "enum": []string{"approve", "decline"}},
				"comment":  obj{"type": "string", "maxLength": 4000},
			}, "decision")),
			status: 200, okDesc: "The approval after the decision.", ok: oaSchema("ApprovalState"),
			errors: map[int]string{
				403: "The caller holds no approval on this ticket, or a session write lacks its CSRF token (code `forbidden`).",
				409: "Nothing of the caller's is pending: decided already, or the ticket moved on (code `approval_not_pending`).",
				422: "",
			},
		},
		{
			pattern: "POST /api/v1/deployments", id: "recordDeployment", tag: "Deployments", summary: "Report a deployment",
			description: "For CI/CD pipelines, with the API token of an agent account that works on the service (admins: any service). " +
				"Report `started` before deploying and `succeeded` or `failed` after: a finish completes the started run of the same pipeline, " +
				"environment, version and service. Name the service, the change, or both (the service defaults to the change's).\n\n" +
				"In a gated environment (PUT /api/v1/change-settings) a run needs a change that is approved (Scheduled or Implementing), touches the " +
				"service and whose planned window contains now: the change named, or else any such change. Without one the deployment is refused " +
				"with 409 `deployment_not_allowed`, nothing is recorded but the refusal (in the service's history), and the body carries, next to `error`, " +
				"the GateDecision fields `allowed` (false), `gated`, `reason` (`no_approved_change`, `change_not_approved`, `outside_window`, " +
				"`change_not_for_service`), `message`, `change` and `environment`: stop the pipeline when `allowed` is false.",
			body: oaJSONBody(oaInput("", obj{
				"pipeline":    obj{"type": "string", "maxLength": 200, "examples": []string{"gitlab/payments-api"}},
				"environment": obj{"type": "string", "maxLength": 100, "examples": []string{"production"}},
				"version":     obj{"type": "string", "maxLength": 200},
				"status":      oaSchema("DeploymentStatus"),
				"commit":      obj{"type": "string", "maxLength": 100},
				"link":        obj{"type": "string", "format": "uri", "description": "An http(s) link to the run."},
				"change":      oaString("A change key."),
				"service":     oaRefValue("The service, by id or name."),
			}, "pipeline", "environment", "version", "status")),
			status: 200, okDesc: "Allowed: the decision and the deployment.", ok: oaSchema("DeploymentAnswer"),
			errors: map[int]string{
				403: "The caller does not work on the service, or a session write lacks its CSRF token (code `forbidden`).",
				409: "Refused by the gate (code `deployment_not_allowed`); the body also holds the GateDecision fields, `allowed` false.",
				422: "",
			},
		},
		{
			pattern: "GET /api/v1/deployments", id: "listDeployments", tag: "Deployments", summary: "Deployments",
			description: "The newest deployments of the services the caller works on (admins: all).",
			params: []obj{
				oaQuery("service", "A service, by id or name.", obj{"type": "string"}),
				oaQuery("change", "A change key.", obj{"type": "string"}),
				oaLimit(store.MaxPage),
			},
			status: 200, okDesc: "The deployments.", ok: oaWrap("deployments", "Deployment"),
			errors: map[int]string{400: "An unknown query parameter (code `unknown_parameter`).", 422: ""},
		},
		{
			pattern: "GET /api/v1/request-types/{id}/fulfilment", id: "getFulfilment", tag: "Fulfilment", summary: "How a request type is fulfilled",
			params: []obj{oaIDParam("request type")},
			status: 200, okDesc: "Its approval rules and task plan.", ok: oaSchema("RequestFulfilment"),
		},
		{
			pattern: "PUT /api/v1/request-types/{id}/tasks", id: "putTaskPlan", tag: "Fulfilment", summary: "Replace a request type's task plan",
			description: "Requests raised before keep their tasks. Approval rules of a request type are edited under /api/v1/approval-rules with `request_type_id`.",
			params:      []obj{oaIDParam("request type")},
			body: oaJSONBody(oaInput("", obj{
				"tasks": oaArray(oaInput("", obj{
					"name": obj{"type": "string", "maxLength": 200}, "description": oaString(""), "team": oaRefValue("By id or name."),
					"stage": obj{"type": "integer", "minimum": 1, "maximum": 100},
				}, "name", "team", "stage"), ""),
			}, "tasks")),
			status: 200, okDesc: "How the request type is now fulfilled.", ok: oaSchema("RequestFulfilment"),
			errors: map[int]string{422: ""},
		},
		{
			pattern: "GET /api/v1/tickets/{key}/tasks", id: "listTicketTasks", tag: "Fulfilment", summary: "A request's tasks",
			description: "For those who may see the request and for the teams that have a task on it.",
			params:      []obj{oaKeyParam},
			status:      200, okDesc: "The tasks, by number.", ok: oaWrap("tasks", "Task"),
		},
		{
			pattern: "GET /api/v1/tasks", id: "listTeamTasks", tag: "Fulfilment", summary: "My teams' tasks",
			params: []obj{
				oaQuery("team", "One of the caller's teams (admins: any), by id or name.", obj{"type": "string"}),
				oaQueryList("status", "Task statuses.", oaSchema("TaskStatus")),
			},
			status: 200, okDesc: "The tasks.", ok: oaWrap("tasks", "Task"),
			errors: map[int]string{400: "An unknown query parameter (code `unknown_parameter`).", 422: ""},
		},
		{
			pattern: "POST /api/v1/tasks/{id}/complete", id: "completeTask", tag: "Fulfilment", summary: "Complete a task",
			description: "For a member of the task's team, or an admin. When the last task of a stage is done the next stage opens; " +
				"when every task is done the request is resolved, as Cairn.",
			params: []obj{oaIDParam("task")},
			body:   oaJSONBody(oaInput("", obj{"note": obj{"type": "string", "maxLength": 8000}})),
			status: 200, okDesc: "The task.", ok: oaSchema("Task"),
			errors: map[int]string{409: "The task's stage is not open, it is finished, or its request is over (codes `task_not_open`, `task_finished`).", 422: ""},
		},
	}
}

// The CMDB (cmdb.go).

// oaWithCMDBSchemas adds the schemas of cmdb.go to the others.
func oaWithCMDBSchemas(schemas obj) obj {
	maps.Copy(schemas, oaCMDBSchemas())
	return schemas
}

// oaAttributeProps are the properties of an attribute definition.
func oaAttributeProps() obj {
	return obj{
		"key":      obj{"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$", "description": "Names the value in a CI's attributes and a column of an import; unique in the type and its ancestors, and not a CI field (name, type, status...)."},
		"label":    oaString("What people read; made from the key when empty. Always present in answers."),
		"type":     oaSchema("AttributeType"),
		"required": obj{"type": "boolean", "default": false, "description": "Always present in answers."},
		"unique": obj{"type": "boolean", "default": false, "description": "Values are unique, letter case ignored, across the CIs of the type that declares the attribute " +
			"and of all its subtypes. Always present in answers. Not for booleans."},
		"options":  oaArray(oaString(""), "The choices of a select attribute (required for it, refused for others)."),
		"ref_type": oaString("A reference attribute's CI type, by key (a name or id is taken on input): values are CIs of that type or its subtypes."),
		"help":     oaString(""),
	}
}

func oaCMDBSchemas() obj {
	schemaAttr := oaAttributeProps()
	schemaAttr["defined_by"] = oaString("The key of the type that declares it: the type itself or an ancestor.")
	verbs := append(slices.Clone(cmdb.Verbs), cmdb.VerbSupports, cmdb.VerbServes)
	ciProps := obj{
		"id":            oaID(""),
		"name":          obj{"type": "string", "maxLength": cmdb.MaxName, "description": "One line; not unique."},
		"type_id":       oaID("Its CI type."),
		"description":   obj{"type": "string", "maxLength": cmdb.MaxDescription},
		"status":        oaSchema("CIStatus"),
		"criticality":   oaSchema("Criticality"),
		"owner_team_id": oaID("The team that owns it; absent when none."),
		"attributes": obj{"type": "object", "additionalProperties": true, "description": "Values by attribute key, following the type's schema (its own and inherited attributes), " +
			"normalized: text trimmed, numbers as numbers, dates as `YYYY-MM-DD`, booleans, select values as the option is spelled, references and people as ids, " +
			"URLs (http and https only), IP addresses in canonical form."},
		"created_at": oaTime(""),
		"updated_at": oaTime(""),
		"type":       obj{"type": "string", "readOnly": true, "description": "The type's name."},
		"type_key":   obj{"type": "string", "readOnly": true, "description": "The type's key."},
		"owner_team": obj{"type": "string", "readOnly": true, "description": "The owner team's name; absent when none."},
	}
	ciRef := oaObject("A CI named in another record.", obj{
		"id": oaID(""), "name": oaString(""), "type_id": oaID(""), "type": oaString("The type's name."),
		"status": oaSchema("CIStatus"), "criticality": oaSchema("Criticality"),
	}, "id", "name", "type_id", "type", "status", "criticality")
	return obj{
		"CIStatus":      oaEnum("Where a CI is in its lifecycle. Input is accepted in any letter case.", cmdb.Statuses...),
		"Criticality":   oaEnum("How much the business suffers when a CI fails, from least to most. Input is accepted in any letter case.", cmdb.Criticalities...),
		"AttributeType": oaEnum("The kind of value an attribute takes. person is a user id (an email address is taken on input), reference a CI id (a name is taken on input).", cmdb.AttrTypes...),
		"RelationshipKind": oaEnum("How two CIs relate, read from the relationship's source. depends_on and runs_on carry impact; connects_to (symmetric) and owned_by do not.",
			cmdb.RelKinds...),
		"Verb": oaEnum("A relationship read from one of its ends: depends_on / depended_on_by, runs_on / hosts, connects_to, owned_by / owns. "+
			"In impact paths, supports (a CI to a catalogue service built on it) and serves (a service to a customer organization) too.", verbs...),

		"Attribute": oaObject("One property CIs of a type have.", oaAttributeProps(), "key", "type"),
		"SchemaAttribute": oaObject("An attribute as CIs of a type have it, with the type that declares it.", schemaAttr,
			"key", "label", "type", "required", "unique", "defined_by"),
		"CIType": oaObject("A kind of CI with its attributes. A type may extend a parent: it has the parent's attributes before its own, "+
			"and its CIs count as the parent's in filters, references and unique checks.", obj{
			"id":          oaID(""),
			"key":         obj{"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$", "description": "Stable machine name, such as `linux_server`."},
			"name":        obj{"type": "string", "maxLength": 100, "description": "Unique, letter case ignored."},
			"description": oaString(""),
			"parent_id":   oaID("The parent type; absent for a root."),
			"attributes":  oaArray(oaSchema("Attribute"), "Its own attributes, not inherited ones."),
			"built_in":    oaBool("Created by Cairn; admins may change it like any other."),
			"created_at":  oaTime(""),
			"updated_at":  oaTime(""),
			"parent":      obj{"type": "string", "readOnly": true, "description": "The parent's name; absent for a root."},
			"schema":      obj{"type": "array", "items": oaSchema("SchemaAttribute"), "readOnly": true, "description": "Every attribute of its CIs, inherited ones first."},
		}, "id", "key", "name", "description", "attributes", "built_in", "created_at", "updated_at", "schema"),
		"CI": oaObject("A configuration item.", ciProps, "id", "name", "type_id", "description", "status", "criticality", "attributes",
			"created_at", "updated_at", "type", "type_key"),
		"CIPage": oaObject("One page of a CI listing.", obj{
			"cis":    oaArray(oaSchema("CI"), ""),
			"total":  obj{"type": "integer", "minimum": 0, "description": "How many CIs match, on all pages."},
			"limit":  obj{"type": "integer", "minimum": 1},
			"offset": obj{"type": "integer", "minimum": 0},
		}, "cis", "total", "limit", "offset"),
		"CIRef": ciRef,
		"CIChange": oaObject("One field's change.", obj{
			"field": oaString("name, type_id, description, status, criticality, owner_team_id or attributes.<key>."),
			"from":  obj{"description": "The value before; null when absent."},
			"to":    obj{"description": "The value after; null when removed."},
		}, "field", "from", "to"),
		"CIEvent": oaObject("One entry of a CI's history.", obj{
			"id":         oaID(""),
			"type":       oaString("ci.created, ci.updated, ci.deleted, ci.related, ci.unrelated, ci.service_linked, ci.service_unlinked, ci.ticket_linked or ci.ticket_unlinked."),
			"actor_id":   oaID("Who did it; absent when Cairn did."),
			"actor":      oaString("Who did it, by name."),
			"changes":    oaArray(oaSchema("CIChange"), "The fields set or changed (creation and updates)."),
			"data":       obj{"type": "object", "description": "What else the event recorded: the other CI and verb of a relationship, the ticket or service of a link, `source: import`."},
			"created_at": oaTime(""),
		}, "id", "type", "actor", "created_at"),
		"Relationship": oaObject("A relationship between two CIs, read from the CI it is listed on.", obj{
			"id":         oaID(""),
			"kind":       oaSchema("RelationshipKind"),
			"verb":       oaDescribed("Verb", "How this CI relates to the other."),
			"label":      oaString("The verb for people: `is depended on by`."),
			"source_id":  oaID(""),
			"target_id":  oaID(""),
			"ci":         oaDescribed("CIRef", "The other CI."),
			"created_at": oaTime(""),
		}, "id", "kind", "verb", "label", "source_id", "target_id", "ci", "created_at"),
		"ImpactStep": oaObject("One step of the path that explains an impact.", obj{
			"verb":  oaDescribed("Verb", "How the step before relates to this one; absent on the first step."),
			"label": oaString("The verb for people; absent on the first step."),
			"kind":  obj{"type": "string", "enum": []string{cmdb.ItemCI, cmdb.ItemService, cmdb.ItemOrganization}},
			"id":    oaID(""),
			"name":  oaString(""),
		}, "kind", "id", "name"),
		"ImpactItem": oaObject("A CI, catalogue service or organization an analysis reached, with the shortest path that explains why.", obj{
			"kind":        obj{"type": "string", "enum": []string{cmdb.ItemCI, cmdb.ItemService, cmdb.ItemOrganization}},
			"id":          oaID(""),
			"name":        oaString(""),
			"type_id":     oaID("CIs: the type."),
			"type":        oaString("CIs: the type's name."),
			"status":      oaString("CIs and services: their status."),
			"criticality": oaDescribed("Criticality", "CIs."),
			"depth":       obj{"type": "integer", "minimum": 1, "description": "Steps from the start."},
			"path":        oaArray(oaSchema("ImpactStep"), "From the start to this item."),
		}, "kind", "id", "name", "depth", "path"),
		"Impact": oaObject("The answer of an impact analysis. Upstream: what fails with the start (what depends on it or runs on it, transitively), "+
			"the catalogue services built on any of those CIs, and the customer organizations of those services. Downstream: what the start needs.", obj{
			"direction":     obj{"type": "string", "enum": []cmdb.Direction{cmdb.Upstream, cmdb.Downstream}},
			"depth":         obj{"type": "integer", "minimum": 0, "description": "The limit asked for, in hops between CIs; 0: none."},
			"start":         oaArray(oaSchema("CIRef"), ""),
			"cis":           oaArray(oaSchema("ImpactItem"), "The CIs reached, nearest first; the start not included."),
			"services":      oaArray(oaSchema("ImpactItem"), "Upstream: the services built on a CI reached (or on the start)."),
			"organizations": oaArray(oaSchema("ImpactItem"), "Upstream: the organizations that use those services."),
			"total_cis":     obj{"type": "integer", "minimum": 0, "description": "The CIs reached, even beyond the limit of the list."},
			"truncated":     oaBool("cis lists only the nearest of them."),
		}, "direction", "depth", "start", "cis", "services", "organizations", "total_cis", "truncated"),
		"TicketImpact": oaObject("What a ticket's CIs affect.", obj{
			"ticket": oaString("The ticket's key."),
			"type":   oaSchema("TicketType"),
			"scope":  obj{"type": "string", "enum": []string{store.ScopeAffected, store.ScopeBlastRadius}, "description": "affected for incidents and other tickets, blast_radius for changes."},
			"cis":    oaArray(oaSchema("CIRef"), "The CIs the ticket names."),
			"impact": oaDescribed("Impact", "Upstream of those CIs."),
		}, "ticket", "type", "scope", "cis", "impact"),
		"ImportError": oaObject("Why a row was not imported.", obj{
			"code":    oaString("invalid_row, invalid_field, required_field, duplicate, ambiguous, changed…"),
			"field":   oaString("The column or attribute at fault, such as `type` or `attributes.hostname`."),
			"message": oaString(""),
		}, "code", "message"),
		"ImportRow": oaObject("What an import did (or would do) with a row.", obj{
			"row":        obj{"type": "integer", "minimum": 1, "description": "CSV: the line the row starts on; JSON: its position in the list."},
			"action":     obj{"type": "string", "enum": []cmdb.ImportAction{cmdb.ImportCreated, cmdb.ImportUpdated, cmdb.ImportUnchanged, cmdb.ImportFailed}},
			"ci_id":      oaID("The CI; absent for one a dry run would create, and for failed new rows."),
			"name":       oaString(""),
			"type":       oaString("The type's name."),
			"matched_by": oaString("The match rule that found the CI, such as `serial_number` or `name+type`."),
			"changes":    oaArray(oaSchema("CIChange"), "The fields set (created) or changed (updated)."),
			"error":      oaSchema("ImportError"),
		}, "row", "action"),
		"ImportReport": oaObject("The outcome of an import: a count per action and every row in file order.", obj{
			"dry_run":   oaBool(""),
			"atomic":    oaBool(""),
			"applied":   oaBool("The changes were written: false for a dry run, and for an atomic import with a failed row."),
			"match":     oaArray(oaString(""), "The match rules, in the order tried."),
			"created":   obj{"type": "integer", "minimum": 0},
			"updated":   obj{"type": "integer", "minimum": 0},
			"unchanged": obj{"type": "integer", "minimum": 0},
			"failed":    obj{"type": "integer", "minimum": 0},
			"rows":      oaArray(oaSchema("ImportRow"), ""),
		}, "dry_run", "atomic", "applied", "match", "created", "updated", "unchanged", "failed", "rows"),
	}
}

func oaCMDBOperations() []oaOp {
	ciParam := oaIDParam("CI")
	typeParam := oaPathParam("id", "The type's id or key, such as `linux_server`.", obj{"type": "string"})
	typeBody := oaJSONBody(oaInput("", obj{
		"key":         obj{"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$", "description": "Made from the name when absent; cannot change."},
		"name":        obj{"type": "string", "maxLength": 100},
		"description": oaString(""),
		"parent":      oaRefValue("The parent type by id, key or name; absent or empty for a root."),
		"attributes":  oaArray(oaSchema("Attribute"), "Its own attributes."),
	}, "name"))
	depth := oaQuery("depth", fmt.Sprintf("Hops between CIs to follow, from 1 to %d; absent: no limit.", cmdb.MaxDepth),
		obj{"type": "integer", "minimum": 1, "maximum": cmdb.MaxDepth})
	ciBody := oaJSONBody(oaInput("", obj{
		"name":        obj{"type": "string", "maxLength": cmdb.MaxName},
		"type":        oaRefValue("The CI type, by id, key or name."),
		"description": obj{"type": "string", "maxLength": cmdb.MaxDescription},
		"status":      oaDescribed("CIStatus", "Default live."),
		"criticality": oaDescribed("Criticality", "Default medium."),
		"owner_team":  oaRefValue("The owner team, by id or name."),
		"attributes":  obj{"type": "object", "additionalProperties": true, "description": "Values by attribute key; see CI."},
	}, "name", "type"))
	ciLink := oaJSONBody(oaInput("", obj{"ci": oaID("The CI's id.")}, "ci"))
	return []oaOp{
		{
			pattern: "GET /api/v1/ci-types", id: "listCITypes", tag: "CMDB", summary: "List CI types",
			description: "Every CI type by name, each with its schema (inherited attributes first).",
			status:      200, okDesc: "The types.", ok: oaWrap("ci_types", "CIType"),
		},
		{
			pattern: "POST /api/v1/ci-types", id: "createCIType", tag: "CMDB", summary: "Define a CI type",
			description: "A type may extend a parent (`parent`) and then inherits its attributes; it may not declare an attribute an ancestor has, " +
				"and inheritance may not go round in a circle.",
			body:   typeBody,
			status: 201, okDesc: "The new type.", ok: oaSchema("CIType"),
			errors: map[int]string{409: "A type has this name or key already (code `duplicate`).", 422: ""},
		},
		{
			pattern: "GET /api/v1/ci-types/{id}", id: "getCIType", tag: "CMDB", summary: "Get a CI type",
			params: []obj{typeParam},
			status: 200, okDesc: "The type.", ok: oaSchema("CIType"),
		},
		{
			pattern: "PUT /api/v1/ci-types/{id}", id: "updateCIType", tag: "CMDB", summary: "Change a CI type",
			description: "Replaces the name, description, parent and own attributes; the key stays. CIs are not rewritten: a CI whose values no longer fit is told so " +
				"on its next change. Making an attribute unique (or moving the type) is refused while two CIs in scope share a value.",
			params: []obj{typeParam},
			body:   typeBody,
			status: 200, okDesc: "The type as changed.", ok: oaSchema("CIType"),
			errors: map[int]string{409: "A duplicate name, or duplicate values for a unique attribute (code `duplicate`).", 422: ""},
		},
		{
			pattern: "GET /api/v1/cis", id: "listCIs", tag: "CMDB", summary: "List CIs",
			description: "Filters combine; lists take commas (`status=live,maintenance`). " +
				"With `q`, a query in Cairn's query language (see `docs/cmdb-query.md`) chooses the CIs: " +
				"the other filters narrow its result further, and `sort`, when given, replaces its `ORDER BY`.",
			params: []obj{
				oaQuery("q", "A query over CIs, such as `type = Server AND status = live AND \"Operating system\" ~ Ubuntu ORDER BY name`. "+
					"Attributes go in double quotes, by label or key; relationship functions such as `dependsOn(\"payments-db\")` select related CIs, transitively. "+
					"Names of types, teams, people, CIs and attributes are checked; a mistake answers 422 with `field` `q` and a message that starts with its line and column.",
					obj{"type": "string", "maxLength": 10000, "examples": []string{`type = Server AND "Operating system" ~ Ubuntu`, `dependsOn("payments-db") AND criticality >= high`}}),
				oaQuery("type", "A CI type by id, key or name: its CIs and those of its subtypes.", obj{"type": "string"}),
				oaQueryList("status", "Statuses.", oaSchema("CIStatus")),
				oaQueryList("criticality", "Criticalities.", oaSchema("Criticality")),
				oaQuery("owner_team", "The owner team, by id or name.", obj{"type": "string"}),
				oaQuery("text", "Text in the name, or the exact value of a unique attribute (host name, serial number, asset tag…); letter case ignored.", obj{"type": "string"}),
				oaQuery("sort", "The order; without it, the query's `ORDER BY`, else name.", obj{"type": "string", "enum": []string{"name", "created", "updated"}}),
				oaQuery("order", "The direction of `sort`, or of the order by name; the query's `ORDER BY` says its own.", obj{"type": "string", "enum": []string{"asc", "desc"}, "default": "asc"}),
				oaLimit(store.MaxPage),
				oaOffset(),
			},
			status: 200, okDesc: "One page of CIs.", ok: oaSchema("CIPage"),
			errors: map[int]string{400: "An unknown query parameter (code `unknown_parameter`).", 422: "A filter value is invalid; `field` names the parameter."},
		},
		{
			pattern: "POST /api/v1/cis", id: "createCI", tag: "CMDB", summary: "Create a CI",
			description: "The attributes are checked against the type's schema, inherited attributes included; errors name the field as `attributes.<key>`. " +
				"The answer's `Location` header is the CI's URL.",
			body:   ciBody,
			status: 201, okDesc: "The new CI.", ok: oaSchema("CI"),
			okHeaders: obj{"Location": obj{"description": "`/api/v1/cis/{id}`.", "schema": obj{"type": "string"}}},
			errors:    map[int]string{409: "A unique attribute's value belongs to another CI (code `duplicate`, field `attributes.<key>`).", 422: ""},
		},
		{
			pattern: "GET /api/v1/cis/{id}", id: "getCI", tag: "CMDB", summary: "Get a CI",
			params: []obj{ciParam},
			status: 200, okDesc: "The CI.", ok: oaSchema("CI"),
		},
		{
			pattern: "PATCH /api/v1/cis/{id}", id: "updateCI", tag: "CMDB", summary: "Change a CI",
			description: "Changes only the fields given; each change is recorded in the CI's history. `attributes` is merged into the current values, " +
				"a null value removing one; `owner_team` and `description` may be null. A new type keeps the values its schema has.",
			params: []obj{ciParam},
			body: oaJSONBody(oaInput("", obj{
				"name":        obj{"type": "string", "maxLength": cmdb.MaxName},
				"type":        oaRefValue("A CI type, by id, key or name."),
				"description": obj{"type": []string{"string", "null"}, "maxLength": cmdb.MaxDescription},
				"status":      oaSchema("CIStatus"),
				"criticality": oaSchema("Criticality"),
				"owner_team":  obj{"type": []string{"integer", "string", "null"}, "description": "A team by id or name; null or empty clears it."},
				"attributes":  obj{"type": []string{"object", "null"}, "additionalProperties": true, "description": "Values to change, by key; a null value removes one."},
			})),
			status: 200, okDesc: "The CI as changed.", ok: oaSchema("CI"),
			errors: map[int]string{409: "A unique attribute's value belongs to another CI (code `duplicate`).", 422: ""},
		},
		{
			pattern: "DELETE /api/v1/cis/{id}", id: "deleteCI", tag: "CMDB", summary: "Delete a CI",
			description: "Removes the CI with its relationships and service links; its history stays readable. A CI that tickets name cannot be deleted: retire it.",
			params:      []obj{ciParam},
			status:      204, okDesc: "Deleted.",
			errors: map[int]string{409: "Tickets name the CI (code `ci_in_use`)."},
		},
		{
			pattern: "GET /api/v1/cis/{id}/history", id: "ciHistory", tag: "CMDB", summary: "Get a CI's history",
			description: "Every event of the CI, oldest first, with each field's old and new value. Links to tickets the caller may not see are left out. A deleted CI's history can be read.",
			params:      []obj{ciParam},
			status:      200, okDesc: "The events.", ok: oaWrap("events", "CIEvent"),
		},
		{
			pattern: "GET /api/v1/cis/{id}/relationships", id: "listRelationships", tag: "CMDB", summary: "List a CI's relationships",
			description: "Each read from this CI: a server `hosts` the virtual machine that `runs_on` it.",
			params:      []obj{ciParam},
			status:      200, okDesc: "The relationships.", ok: oaWrap("relationships", "Relationship"),
		},
		{
			pattern: "POST /api/v1/cis/{id}/relationships", id: "addRelationship", tag: "CMDB", summary: "Relate two CIs",
			description: "`{\"kind\": \"hosts\", \"ci\": 12}` reads \"this CI hosts CI 12\" and is stored as CI 12 runs_on this one. Any verb may be used, from either end. " +
				"Cycles are allowed.",
			params: []obj{ciParam},
			body: oaJSONBody(oaInput("", obj{
				"kind": oaDescribed("Verb", "As read from this CI (supports and serves are not relationships)."),
				"ci":   oaID("The other CI."),
			}, "kind", "ci")),
			status: 201, okDesc: "The relationship, read from this CI.", ok: oaSchema("Relationship"),
			errors: map[int]string{409: "The CIs are related this way already (code `duplicate`).", 422: ""},
		},
		{
			pattern: "DELETE /api/v1/cis/{id}/relationships/{rel}", id: "deleteRelationship", tag: "CMDB", summary: "Remove a relationship",
			params: []obj{ciParam, oaPathParam("rel", "The relationship's id.", oaID(""))},
			status: 204, okDesc: "Removed.",
		},
		{
			pattern: "GET /api/v1/cis/{id}/impact", id: "ciImpact", tag: "CMDB", summary: "Impact analysis",
			description: "Upstream (default): everything that depends on or runs on the CI, transitively, the catalogue services built on them and their customer organizations. " +
				"Downstream: everything the CI depends on or runs on. Only depends_on and runs_on carry impact. Each item comes with the shortest path that explains it; " +
				"cycles are followed once.",
			params: []obj{
				ciParam,
				oaQuery("direction", "Which way to follow relationships.", obj{"type": "string", "enum": []cmdb.Direction{cmdb.Upstream, cmdb.Downstream}, "default": "upstream"}),
				depth,
				oaQuery("limit", fmt.Sprintf("The most CIs listed, nearest first (services and organizations are always all given), from 1 to %d.", store.MaxImpactLimit),
					obj{"type": "integer", "minimum": 1, "maximum": store.MaxImpactLimit, "default": store.DefaultImpactLimit}),
			},
			status: 200, okDesc: "The analysis.", ok: oaSchema("Impact"),
			errors: map[int]string{400: "An unknown query parameter (code `unknown_parameter`).", 422: ""},
		},
		{
			pattern: "GET /api/v1/cis/{id}/services", id: "ciServices", tag: "CMDB", summary: "List the services built on a CI",
			params: []obj{ciParam},
			status: 200, okDesc: "The catalogue services linked directly to the CI.", ok: oaWrap("services", "Service"),
		},
		{
			pattern: "GET /api/v1/cis/{id}/tickets", id: "ciTickets", tag: "CMDB", summary: "List the tickets about a CI",
			description: "The tickets that name the CI and that the caller may see, newest first.",
			params:      []obj{ciParam, oaLimit(store.MaxPage)},
			status:      200, okDesc: "The tickets.", ok: oaWrap("tickets", "Ticket"),
			errors: map[int]string{400: "An unknown query parameter (code `unknown_parameter`).", 422: ""},
		},
		{
			pattern: "GET /api/v1/services/{id}/cis", id: "listServiceCIs", tag: "CMDB", summary: "List the CIs a service is built on",
			params: []obj{oaIDParam("service")},
			status: 200, okDesc: "The CIs.", ok: oaWrap("cis", "CIRef"),
		},
		{
			pattern: "POST /api/v1/services/{id}/cis", id: "linkServiceCI", tag: "CMDB", summary: "Build a service on a CI",
			description: "The service is then upstream of the CI in impact analysis.",
			params:      []obj{oaIDParam("service")},
			body:        ciLink,
			status:      201, okDesc: "The CI linked.", ok: oaSchema("CIRef"),
			errors: map[int]string{409: "They are linked already (code `duplicate`).", 422: ""},
		},
		{
			pattern: "DELETE /api/v1/services/{id}/cis/{ci}", id: "unlinkServiceCI", tag: "CMDB", summary: "Unlink a service from a CI",
			params: []obj{oaIDParam("service"), oaPathParam("ci", "The CI's id.", oaID(""))},
			status: 204, okDesc: "Unlinked.",
		},
		{
			pattern: "GET /api/v1/services/{id}/organizations", id: "listServiceOrganizations", tag: "CMDB", summary: "List a service's customer organizations",
			description: "The organizations that use the service: those impact analysis reports when it is affected.",
			params:      []obj{oaIDParam("service")},
			status:      200, okDesc: "The organizations.", ok: oaWrap("organizations", "Organization"),
		},
		{
			pattern: "PUT /api/v1/services/{id}/organizations", id: "setServiceOrganizations", tag: "CMDB", summary: "Set a service's customer organizations",
			params: []obj{oaIDParam("service")},
			body:   oaJSONBody(oaInput("", obj{"organization_ids": oaArray(oaID(""), "Replaces the list.")}, "organization_ids")),
			status: 204, okDesc: "Set.",
			errors: map[int]string{422: ""},
		},
		{
			pattern: "GET /api/v1/tickets/{key}/cis", id: "listTicketCIs", tag: "CMDB", summary: "List a ticket's CIs",
			description: "The CIs the ticket is about: an incident's affected CIs, a change's targets.",
			params:      []obj{oaKeyParam},
			status:      200, okDesc: "The CIs.", ok: oaWrap("cis", "CIRef"),
		},
		{
			pattern: "POST /api/v1/tickets/{key}/cis", id: "linkTicketCI", tag: "CMDB", summary: "Name a CI on a ticket",
			description: "Recorded in the ticket's history as an internal event that customers do not see.",
			params:      []obj{oaKeyParam},
			body:        ciLink,
			status:      201, okDesc: "The CI named.", ok: oaSchema("CIRef"),
			errors: map[int]string{409: "The ticket names the CI already (code `duplicate`).", 422: ""},
		},
		{
			pattern: "DELETE /api/v1/tickets/{key}/cis/{id}", id: "unlinkTicketCI", tag: "CMDB", summary: "Remove a CI from a ticket",
			params: []obj{oaKeyParam, ciParam},
			status: 204, okDesc: "Removed.",
		},
		{
			pattern: "GET /api/v1/tickets/{key}/impact", id: "ticketImpact", tag: "CMDB", summary: "What a ticket's CIs affect",
			description: "Upstream of the CIs the ticket names: for an incident, the affected services and customer organizations (scope `affected`); " +
				"for a change, its blast radius (scope `blast_radius`).",
			params: []obj{oaKeyParam, depth},
			status: 200, okDesc: "The analysis.", ok: oaSchema("TicketImpact"),
			errors: map[int]string{400: "An unknown query parameter (code `unknown_parameter`).", 422: ""},
		},
		{
			pattern: "POST /api/v1/cmdb/import", id: "importCIs", tag: "CMDB", summary: "Import CIs from CSV or JSON",
			description: fmt.Sprintf("Reconciles a file with the CMDB. CSV: a header line naming the columns (type, name, description, status, criticality, owner_team, "+
				"then attributes by key or label, optionally written `attributes.<key>`), separated by commas, semicolons or tabs. JSON: a list of objects "+
				"(or `{\"cis\": [...]}`) with the same fields, attributes at the top level or in `attributes`. Empty cells and absent keys leave a value as it is.\n\n"+
				"Each row finds its CI by the first `match` rule for which it has every field and some CI the same values, letter case ignored; a row that finds none "+
				"creates a CI, one that finds several fails (`ambiguous`). A CI already as the row says is left unchanged: importing a file twice changes nothing the second time. "+
				"Each row is all or nothing; bad rows are reported with the field at fault and the good ones imported, or nothing is imported if `atomic=true`. "+
				"The answer is 200 with the report either way. At most %d MiB and %d rows.", MaxImportBody>>20, cmdb.MaxImportRows),
			params: []obj{
				oaQuery("dry_run", "Report what would change and write nothing.", obj{"type": "boolean", "default": false}),
				oaQuery("atomic", "Import every row or, if one fails, none.", obj{"type": "boolean", "default": false}),
				oaQuery("match", "Identification rules, tried in order, separated by commas; the fields of one rule joined by `+`: `name`, `type` or attribute keys.",
					obj{"type": "string", "default": "name+type", "examples": []string{"serial_number,hostname+type"}}),
				oaQuery("format", "The body's format; by default its Content-Type, or its first byte, tells.", obj{"type": "string", "enum": []string{cmdb.FormatCSV, cmdb.FormatJSON}}),
			},
			body: obj{"required": true, "content": obj{
				"text/csv": obj{"schema": obj{"type": "string"}},
				"application/json": obj{"schema": obj{
					"oneOf": []obj{
						{"type": "array", "items": obj{"type": "object", "additionalProperties": true}},
						{"type": "object", "properties": obj{"cis": obj{"type": "array", "items": obj{"type": "object", "additionalProperties": true}}}, "required": []string{"cis"}},
					},
					"additionalProperties": false,
					"description":          "Rows with type, name, description, status, criticality, owner_team and attributes.",
				}},
			}},
			status: 200, okDesc: "The report.", ok: oaSchema("ImportReport"),
			errors: map[int]string{
				400: "An unknown query parameter (code `unknown_parameter`).",
				413: fmt.Sprintf("The file is larger than %d MiB (code `too_large`).", MaxImportBody>>20),
				422: "The file cannot be read as a whole (code `invalid_file`, field `file`), or a bad parameter (`match`, `format`, `dry_run`, `atomic`).",
			},
		},
	}
}

// Incident and problem management (practices_incidents.go).

// oaWithPracticeSchemas adds the schemas of incident and problem management.
func oaWithPracticeSchemas(schemas obj) obj {
	maps.Copy(schemas, oaPracticeSchemas())
	return schemas
}

// oaPracticeSchemas are the schemas of incident and problem management.
func oaPracticeSchemas() obj {
	priorities := obj{}
	for _, l := range ticket.Levels {
		priorities[string(l)] = oaSchema("Priority")
	}
	row := oaObject("Urgency to priority.", priorities, "high", "medium", "low")
	rows := obj{}
	for _, l := range ticket.Levels {
		rows[string(l)] = row
	}
	related := oaObject("A ticket linked to another, with its type.", obj{
		"link_id":         oaID("The link's id; remove it with `DELETE /api/v1/tickets/{key}/links/{id}`."),
		"key":             oaString("The other ticket's key."),
		"type":            oaSchema("TicketType"),
		"summary":         oaString(""),
		"status":          oaString(""),
		"status_category": oaSchema("StatusCategory"),
		"priority":        oaSchema("Priority"),
	}, "link_id", "key", "type", "summary", "status", "status_category", "priority")
	return obj{
		"Audience":         oaEnum("Who a communication update is written for.", ticket.AudienceInternal, ticket.AudienceCustomers),
		"Cascade":          oaEnum("What resolving a problem does to its open incidents.", ticket.CascadeNone, ticket.CascadeNotify, ticket.CascadeResolve),
		"KnownErrorStatus": oaEnum("Whether a known error's workaround still applies.", ticket.KnownErrorStatuses...),
		"AnalysisMethod":   oaEnum("How a problem's root cause was looked for.", ticket.MethodFiveWhys, ticket.MethodFreeForm),
		"PriorityMatrix": oaObject("Impact (rows) and urgency (columns) to the priority of an incident raised without one. Input takes levels and priorities in any letter case.",
			rows, "high", "medium", "low"),
		"IncidentSettings": oaObject("The rules for incidents.", obj{
			"reopen_window_days": obj{"type": "integer", "minimum": 0, "maximum": ticket.MaxReopenWindowDays,
				"description": "How many days after resolution a customer may reopen an incident; later, reopening raises a new incident. 0: no limit. Agents are not bound by it."},
			"resolution_codes": obj{"type": "array", "items": obj{"type": "string", "maxLength": ticket.MaxResolution}, "maxItems": ticket.MaxResolutionCodes,
				"description": "The resolutions an incident may be resolved with (letter case ignored on input). Empty: any."},
			"require_resolution_code": oaBool("Refuse to resolve an incident without a code; otherwise none gives `Done`."),
		}, "reopen_window_days", "resolution_codes", "require_resolution_code"),
		"ReopenResult": oaObject("What reopening did.", obj{
			"ticket":   oaDescribed("Ticket", "The reopened incident, or the new one."),
			"reopened": oaBool("False when the reopen window had passed (or the incident was closed): `ticket` is then a new incident linked (relates_to) to the original."),
			"original": oaString("The key asked for."),
		}, "ticket", "reopened", "original"),
		"MajorIncident": oaObject("An incident's major-incident flag.", obj{
			"active":         oaBool("Declared and not ended."),
			"reason":         oaString(""),
			"declared_by_id": oaID("Absent when Cairn declared it."),
			"declared_by":    oaString(""),
			"declared_at":    oaTime(""),
			"ended_by_id":    oaID("Absent while active."),
			"ended_by":       oaString("Absent while active."),
			"ended_at":       oaTime("Absent while active."),
		}, "active", "reason", "declared_by", "declared_at"),
		"Communication": oaObject("A stakeholder update of an incident's communication log, apart from its comments.", obj{
			"id":         oaID(""),
			"audience":   oaSchema("Audience"),
			"message":    obj{"type": "string", "maxLength": ticket.MaxCommunication},
			"author_id":  oaID("Absent when Cairn wrote it."),
			"author":     oaString(""),
			"created_at": oaTime(""),
		}, "id", "audience", "message", "author", "created_at"),
		"AffectedService": oaObject("A service an incident or problem affects.", obj{
			"id":      oaID(""),
			"name":    oaString(""),
			"primary": oaBool("The ticket's own service."),
		}, "id", "name", "primary"),
		"MajorIncidentEntry": oaObject("An open major incident with its communication log, newest update first.", obj{
			"ticket":         oaSchema("Ticket"),
			"major":          oaSchema("MajorIncident"),
			"services":       oaArray(oaSchema("AffectedService"), ""),
			"communications": oaArray(oaSchema("Communication"), ""),
		}, "ticket", "major", "services", "communications"),
		"RelatedTicket": related,
		"Why": oaObject("One question of a five-whys analysis.", obj{
			"question": obj{"type": "string", "maxLength": ticket.MaxWhyText},
			"answer":   obj{"type": "string", "maxLength": ticket.MaxWhyText},
		}, "question", "answer"),
		"Analysis": oaObject("A problem's root cause analysis.", obj{
			"symptoms":   obj{"type": "string", "maxLength": ticket.MaxAnalysisText},
			"root_cause": obj{"type": "string", "maxLength": ticket.MaxAnalysisText},
			"method":     oaSchema("AnalysisMethod"),
			"whys":       obj{"type": "array", "items": oaSchema("Why"), "maxItems": ticket.MaxWhys},
			"notes":      obj{"type": "string", "maxLength": ticket.MaxAnalysisText, "description": "The free-form analysis, or remarks beside the whys."},
			"updated_by": oaString("Absent until first saved."),
			"updated_at": oaTime("Absent until first saved."),
		}, "symptoms", "root_cause", "method", "whys", "notes"),
		"GroupResult": oaObject("What grouping incidents into a problem did.", obj{
			"problem": oaSchema("Ticket"),
			"created": oaBool("The problem was raised for this."),
			"linked":  oaArray(oaString(""), "Incidents linked now."),
			"already": oaArray(oaString(""), "Incidents linked to the problem before."),
		}, "problem", "created", "linked", "already"),
		"ProblemResolution": oaObject("What resolving a problem did.", obj{
			"problem":  oaSchema("Ticket"),
			"cascade":  oaSchema("Cascade"),
			"notified": oaArray(oaString(""), "Incidents told with a public comment."),
			"resolved": oaArray(oaString(""), "Incidents resolved with the problem."),
		}, "problem", "cascade", "notified", "resolved"),
		"KnownError": oaObject("A problem whose cause is known, with the workaround to apply until it is fixed.", obj{
			"id":              oaID(""),
			"problem":         oaString("The problem's key."),
			"problem_summary": oaString(""),
			"problem_status":  oaString(""),
			"title":           obj{"type": "string", "maxLength": ticket.MaxSummary},
			"symptoms":        obj{"type": "string", "maxLength": ticket.MaxAnalysisText},
			"workaround":      obj{"type": "string", "maxLength": ticket.MaxAnalysisText},
			"status":          oaSchema("KnownErrorStatus"),
			"created_by_id":   oaID("Absent when Cairn recorded it."),
			"created_by":      oaString(""),
			"created_at":      oaTime(""),
			"updated_at":      oaTime(""),
		}, "id", "problem", "problem_summary", "problem_status", "title", "symptoms", "workaround", "status", "created_by", "created_at", "updated_at"),
		"KnownErrorPage": oaObject("One page of known errors.", obj{
			"known_errors": oaArray(oaSchema("KnownError"), ""),
			"total":        obj{"type": "integer", "minimum": 0},
			"limit":        obj{"type": "integer", "minimum": 1},
			"offset":       obj{"type": "integer", "minimum": 0},
		}, "known_errors", "total", "limit", "offset"),
		"AppliedKnownError": oaObject("What applying a known error did.", obj{
			"comment": oaDescribed("Comment", "The workaround, posted on the incident."),
			"problem": oaString("The problem the incident is now linked to (caused_by)."),
			"linked":  oaBool("False when the incident was linked to the problem already."),
		}, "comment", "problem", "linked"),
	}
}

func oaKnownErrorBody(withProblem bool) obj {
	props := obj{
		"title":      obj{"type": "string", "minLength": 1, "maxLength": ticket.MaxSummary, "description": "One line."},
		"symptoms":   obj{"type": "string", "maxLength": ticket.MaxAnalysisText},
		"workaround": obj{"type": "string", "minLength": 1, "maxLength": ticket.MaxAnalysisText},
		"status":     oaDescribed("KnownErrorStatus", "Omitted: `active`."),
	}
	required := []string{"title", "workaround"}
	if withProblem {
		props["problem"] = obj{"type": "string", "description": "The problem's key.", "examples": []string{"IT-9"}}
		required = append(required, "problem")
	}
	return oaJSONBody(oaInput("", props, required...))
}

// oaPracticeOperations are the operations of incident and problem management.
func oaPracticeOperations() []oaOp {
	knownErrorID := oaIDParam("known error")
	return []oaOp{
		{
			pattern: "GET /api/v1/priority-matrix", id: "getPriorityMatrix", tag: "Incidents", summary: "Get the priority matrix",
			description: "How an incident's priority is derived from its impact and urgency when none is given.",
			status:      200, okDesc: "The matrix.", ok: oaSchema("PriorityMatrix"),
		},
		{
			pattern: "PUT /api/v1/priority-matrix", id: "setPriorityMatrix", tag: "Incidents", summary: "Replace the priority matrix",
			description: "Every impact and urgency must be given. Existing tickets keep their priority; the matrix applies from the next incident raised or the next change of impact or urgency.",
			body: oaJSONBody(func() obj {
				cells := obj{}
				for _, l := range ticket.Levels {
					cells[string(l)] = oaSchema("Priority")
				}
				row := oaInput("Urgency to priority.", cells, "high", "medium", "low")
				return oaInput("Impact to a row of urgencies.", obj{"high": row, "medium": row, "low": row}, "high", "medium", "low")
			}()),
			status: 200, okDesc: "The matrix as saved.", ok: oaSchema("PriorityMatrix"),
			errors: map[int]string{422: "A cell is missing or not a priority; `field` names it as `impact.urgency`."},
		},
		{
			pattern: "GET /api/v1/incident-settings", id: "getIncidentSettings", tag: "Incidents", summary: "Get the incident rules",
			status: 200, okDesc: "The reopen window and the resolution codes.", ok: oaSchema("IncidentSettings"),
		},
		{
			pattern: "PUT /api/v1/incident-settings", id: "setIncidentSettings", tag: "Incidents", summary: "Replace the incident rules",
			body: oaJSONBody(oaInput("", obj{
				"reopen_window_days":      obj{"type": "integer", "minimum": 0, "maximum": ticket.MaxReopenWindowDays},
				"resolution_codes":        obj{"type": "array", "items": obj{"type": "string", "minLength": 1, "maxLength": ticket.MaxResolution}, "maxItems": ticket.MaxResolutionCodes},
				"require_resolution_code": oaBool(""),
			})),
			status: 200, okDesc: "The rules as saved.", ok: oaSchema("IncidentSettings"),
			errors: map[int]string{422: ""},
		},
		{
			pattern: "POST /api/v1/incidents/{key}/reopen", id: "reopenIncident", tag: "Incidents", summary: "Reopen a resolved incident",
			description: "Reopens the incident when the caller may: customers within the reopen window, agents at any time. Otherwise, or when the workflow " +
				"offers no way back from its status (closed), raises a new incident on the same service, linked to this one (`relates_to`); " +
				"the comment then becomes its description.",
			params: []obj{oaKeyParam},
			body:   oaJSONBody(oaInput("", obj{"comment": obj{"type": "string", "maxLength": ticket.MaxComment, "description": "Why it is reopened."}})),
			status: 200, okDesc: "What happened.", ok: oaSchema("ReopenResult"),
			errors: map[int]string{409: "The ticket is not an incident (`wrong_type`) or not resolved (`not_resolved`).", 422: ""},
		},
		{
			pattern: "GET /api/v1/incidents/{key}/major", id: "getMajorIncident", tag: "Incidents", summary: "Get an incident's major flag",
			params: []obj{oaKeyParam},
			status: 200, okDesc: "The flag, active or ended.", ok: oaSchema("MajorIncident"),
			errors: map[int]string{404: "No such ticket, or it was never declared a major incident."},
		},
		{
			pattern: "POST /api/v1/incidents/{key}/major", id: "declareMajorIncident", tag: "Incidents", summary: "Declare a major incident",
			description: "Flags an open incident as major; it then appears in `GET /api/v1/major-incidents` until ended or resolved. Recorded in the history.",
			params:      []obj{oaKeyParam},
			body:        oaJSONBody(oaInput("", obj{"reason": obj{"type": "string", "maxLength": ticket.MaxReason}})),
			status:      201, okDesc: "The flag.", ok: oaSchema("MajorIncident"),
			errors: map[int]string{409: "Not an incident (`wrong_type`), resolved (`resolved`), or major already (`already_major`).", 422: ""},
		},
		{
			pattern: "DELETE /api/v1/incidents/{key}/major", id: "endMajorIncident", tag: "Incidents", summary: "End a major incident",
			description: "Takes the major flag off; the incident stays as it is. Recorded in the history.",
			params:      []obj{oaKeyParam},
			status:      200, okDesc: "The ended flag.", ok: oaSchema("MajorIncident"),
			errors: map[int]string{409: "The incident is not a major incident (`not_major`)."},
		},
		{
			pattern: "GET /api/v1/major-incidents", id: "listMajorIncidents", tag: "Incidents", summary: "List open major incidents",
			description: "The open major incidents the caller may see, the latest declared first, each with its whole communication log.",
			status:      200, okDesc: "The major incidents.", ok: oaWrap("major_incidents", "MajorIncidentEntry"),
		},
		{
			pattern: "GET /api/v1/incidents/{key}/communications", id: "listCommunications", tag: "Incidents", summary: "Read an incident's communication log",
			description: "Oldest first. Customers read only the updates written for customers.",
			params:      []obj{oaKeyParam},
			status:      200, okDesc: "The updates.", ok: oaWrap("communications", "Communication"),
		},
		{
			pattern: "POST /api/v1/incidents/{key}/communications", id: "postCommunication", tag: "Incidents", summary: "Post a stakeholder update",
			description: "Adds a timestamped update to the incident's communication log, for agents and managers (`internal`) or for the customers who can see the incident.",
			params:      []obj{oaKeyParam},
			body: oaJSONBody(oaInput("", obj{
				"audience": oaSchema("Audience"),
				"message":  obj{"type": "string", "minLength": 1, "maxLength": ticket.MaxCommunication},
			}, "audience", "message")),
			status: 201, okDesc: "The update.", ok: oaSchema("Communication"),
			errors: map[int]string{409: "The ticket is not an incident (`wrong_type`).", 422: ""},
		},
		{
			pattern: "GET /api/v1/incidents/{key}/affected-services", id: "listAffectedServices", tag: "Incidents", summary: "List the affected services",
			description: "The ticket's own service first, then the others it affects.",
			params:      []obj{oaKeyParam},
			status:      200, okDesc: "The services.", ok: oaWrap("services", "AffectedService"),
		},
		{
			pattern: "PUT /api/v1/incidents/{key}/affected-services", id: "setAffectedServices", tag: "Incidents", summary: "Replace the affected services",
			description: "Replaces the services an incident or problem affects besides its own, which is always affected.",
			params:      []obj{oaKeyParam},
			body:        oaJSONBody(oaInput("", obj{"services": oaArray(oaRefValue("A service, by id or name."), "")})),
			status:      200, okDesc: "The services now affected.", ok: oaWrap("services", "AffectedService"),
			errors: map[int]string{409: "The ticket is neither an incident nor a problem (`wrong_type`).", 422: "A service is unknown or retired (field `services[i]`)."},
		},
		{
			pattern: "GET /api/v1/incidents/{key}/causes", id: "listIncidentCauses", tag: "Incidents", summary: "List what caused an incident",
			description: "The problems and changes the incident is linked to as caused by.",
			params:      []obj{oaKeyParam},
			status:      200, okDesc: "The causes.", ok: oaWrap("causes", "RelatedTicket"),
		},
		{
			pattern: "POST /api/v1/incidents/{key}/causes", id: "addIncidentCause", tag: "Incidents", summary: "Link an incident to its cause",
			description: "Links the incident as caused by a problem or a change (a `caused_by` link from the incident).",
			params:      []obj{oaKeyParam},
			body:        oaJSONBody(oaInput("", obj{"ticket": obj{"type": "string", "description": "The problem's or change's key.", "examples": []string{"IT-7"}}}, "ticket")),
			status:      201, okDesc: "The cause.", ok: oaSchema("RelatedTicket"),
			errors: map[int]string{409: "Not an incident (`wrong_type`), or linked so already (`duplicate`).", 422: ""},
		},

		{
			pattern: "GET /api/v1/problems/{key}/analysis", id: "getProblemAnalysis", tag: "Problems", summary: "Get a problem's root cause analysis",
			params: []obj{oaKeyParam},
			status: 200, okDesc: "The analysis; empty until written.", ok: oaSchema("Analysis"),
			errors: map[int]string{409: "The ticket is not a problem (`wrong_type`)."},
		},
		{
			pattern: "PUT /api/v1/problems/{key}/analysis", id: "setProblemAnalysis", tag: "Problems", summary: "Replace a problem's root cause analysis",
			description: "Five whys (up to five question and answer pairs; blank pairs are dropped) or a free-form analysis. Without a method, whys make it five whys.",
			params:      []obj{oaKeyParam},
			body: oaJSONBody(oaInput("", obj{
				"symptoms":   obj{"type": "string", "maxLength": ticket.MaxAnalysisText},
				"root_cause": obj{"type": "string", "maxLength": ticket.MaxAnalysisText},
				"method":     oaSchema("AnalysisMethod"),
				"whys":       obj{"type": "array", "items": oaSchema("Why"), "maxItems": ticket.MaxWhys},
				"notes":      obj{"type": "string", "maxLength": ticket.MaxAnalysisText},
			})),
			status: 200, okDesc: "The analysis as saved.", ok: oaSchema("Analysis"),
			errors: map[int]string{409: "The ticket is not a problem (`wrong_type`).", 422: ""},
		},
		{
			pattern: "GET /api/v1/problems/{key}/incidents", id: "listProblemIncidents", tag: "Problems", summary: "List a problem's incidents",
			description: "The incidents linked as caused by the problem that the caller may see.",
			params:      []obj{oaKeyParam},
			status:      200, okDesc: "The incidents.", ok: oaWrap("incidents", "RelatedTicket"),
			errors: map[int]string{409: "The ticket is not a problem (`wrong_type`)."},
		},
		{
			pattern: "POST /api/v1/problems/{key}/resolve", id: "resolveProblem", tag: "Problems", summary: "Resolve a problem",
			description: "Moves the problem to a done status of its workflow, then, by `cascade`, leaves its open incidents alone (`none`), " +
				"tells their customers with a public comment (`notify`) or resolves them too (`resolve`, with the resolution, which must then be an incident resolution code). " +
				"Only incidents the caller may see are touched. All of it happens in one transaction.",
			params: []obj{oaKeyParam},
			body: oaJSONBody(oaInput("", obj{
				"cascade":    oaDescribed("Cascade", "Omitted: `none`."),
				"resolution": obj{"type": "string", "maxLength": ticket.MaxResolution},
				"comment":    obj{"type": "string", "maxLength": ticket.MaxComment, "description": "Added to the problem, and to each incident's notice."},
			})),
			status: 200, okDesc: "What was resolved and notified.", ok: oaSchema("ProblemResolution"),
			errors: map[int]string{
				409: "Not a problem (`wrong_type`), resolved already (`resolved`), or no transition resolves it or one of its incidents (`transition_not_allowed`).",
				422: "",
			},
		},
		{
			pattern: "POST /api/v1/problems/group", id: "groupIncidents", tag: "Problems", summary: "Group incidents into a problem",
			description: "Links each incident as caused by a problem, in one transaction: an existing problem (`problem`) or a new one (`new_problem`), raised with it. " +
				"Incidents linked before are reported in `already`.",
			body: oaJSONBody(oaInput("Give `problem` or `new_problem`.", obj{
				"incidents": obj{"type": "array", "items": obj{"type": "string"}, "minItems": 1, "maxItems": store.MaxGroup, "description": "Incident keys."},
				"problem":   obj{"type": "string", "description": "An open problem's key."},
				"new_problem": oaInput("", obj{
					"summary":     obj{"type": "string", "minLength": 1, "maxLength": ticket.MaxSummary},
					"description": obj{"type": "string", "maxLength": ticket.MaxDescription},
					"service":     oaRefValue("The problem's service, by id or name. Omitted: the first incident's."),
				}, "summary"),
			}, "incidents")),
			status: 200, okDesc: "The problem and the incidents linked.", ok: oaSchema("GroupResult"),
			errors: map[int]string{409: "The problem is resolved (`resolved`).", 422: "An incident is unknown, hidden or not an incident (field `incidents[i]`), or the problem is."},
		},

		{
			pattern: "GET /api/v1/known-errors", id: "listKnownErrors", tag: "Problems", summary: "Search known errors",
			description: "Known errors of every problem, the latest changed first. `q` finds text in the title, symptoms or workaround, letter case ignored.",
			params: []obj{
				oaQuery("q", "Text to find.", obj{"type": "string"}),
				oaQueryList("status", "Statuses.", oaSchema("KnownErrorStatus")),
				oaQuery("problem", "Only this problem's, by key.", obj{"type": "string"}),
				oaLimit(store.MaxPage),
				oaOffset(),
			},
			status: 200, okDesc: "One page of known errors.", ok: oaSchema("KnownErrorPage"),
			errors: map[int]string{400: "An unknown query parameter (code `unknown_parameter`).", 422: "A filter value is invalid; `field` names it."},
		},
		{
			pattern: "POST /api/v1/known-errors", id: "createKnownError", tag: "Problems", summary: "Record a known error",
			body:   oaKnownErrorBody(true),
			status: 201, okDesc: "The known error.", ok: oaSchema("KnownError"),
			okHeaders: obj{"Location": obj{"description": "`/api/v1/known-errors/{id}`.", "schema": obj{"type": "string"}}},
			errors:    map[int]string{422: "A field is invalid, or `problem` is not a problem the caller may see."},
		},
		{
			pattern: "GET /api/v1/known-errors/{id}", id: "getKnownError", tag: "Problems", summary: "Get a known error",
			params: []obj{knownErrorID},
			status: 200, okDesc: "The known error.", ok: oaSchema("KnownError"),
		},
		{
			pattern: "PUT /api/v1/known-errors/{id}", id: "updateKnownError", tag: "Problems", summary: "Replace a known error",
			params: []obj{knownErrorID},
			body:   oaKnownErrorBody(false),
			status: 200, okDesc: "The known error as saved.", ok: oaSchema("KnownError"),
			errors: map[int]string{422: ""},
		},
		{
			pattern: "POST /api/v1/known-errors/{id}/apply", id: "applyKnownError", tag: "Problems", summary: "Apply a known error to an incident",
			description: "Posts the workaround on the incident as a comment (public unless `internal`) and links the incident as caused by the known error's problem, in one transaction.",
			params:      []obj{knownErrorID},
			body: oaJSONBody(oaInput("", obj{
				"incident": obj{"type": "string", "description": "The incident's key.", "examples": []string{"IT-42"}},
				"internal": oaBool("Post the workaround as an internal note."),
			}, "incident")),
			status: 200, okDesc: "The comment and the link.", ok: oaSchema("AppliedKnownError"),
			errors: map[int]string{422: "The incident is unknown, hidden or not an incident (field `incident`)."},
		},
	}
}
