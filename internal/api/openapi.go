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
	"github.com/cairn-itsm/cairn/internal/directory"
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
	for _, op := range oaOperations() {
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
			"schemas":    oaSchemas(),
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
			ticket.EventCommented, ticket.EventLinked, ticket.EventUnlinked, ticket.EventAttachmentAdded),

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
				oaLimit(1000),
				oaOffset(),
			},
			status: 200, okDesc: "The users.", ok: oaWrap("users", "User"),
			errors: map[int]string{422: "A filter is invalid (field `role`, `organization`, `limit` or `offset`)."},
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
				"List filters take several values separated by commas (`status=Open,Pending`) and match any of them.",
			params: []obj{
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
				422: "A filter value is invalid; `field` names the parameter.",
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
