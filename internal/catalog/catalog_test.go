package catalog

import (
	"strings"
	"testing"
)

func TestServiceValidate(t *testing.T) {
	tests := []struct {
		name       string
		svc        Service
		field      string
		wantName   string
		wantStatus ServiceStatus
	}{
		{"defaults to pipeline", Service{Name: "  Email  "}, "", "Email", ServicePipeline},
		{"live", Service{Name: "VPN", Status: ServiceLive}, "", "VPN", ServiceLive},
		{"retired", Service{Name: "Fax", Status: ServiceRetired}, "", "Fax", ServiceRetired},
		{"longest name", Service{Name: strings.Repeat("n", 200)}, "", strings.Repeat("n", 200), ServicePipeline},
		{"no name", Service{Name: " "}, "name", "", ""},
		{"name too long", Service{Name: strings.Repeat("n", 201)}, "name", "", ""},
		{"unknown status", Service{Name: "VPN", Status: "beta"}, "status", "", ""},
		{"status in capitals", Service{Name: "VPN", Status: "LIVE"}, "status", "", ""},
	}
	for _, tt := range tests {
		svc := tt.svc
		err := svc.Validate()
		wantInvalid(t, tt.name, err, tt.field)
		if tt.field == "" && (svc.Name != tt.wantName || svc.Status != tt.wantStatus) {
			t.Errorf("%s: got name %q status %q, want %q %q", tt.name, svc.Name, svc.Status, tt.wantName, tt.wantStatus)
		}
	}
}

func TestRequestTypeValidate(t *testing.T) {
	validType := func(s string) bool { return s == "incident" || s == "service_request" }
	tests := []struct {
		name  string
		rt    RequestType
		field string
	}{
		{"no form", RequestType{Name: " Report ", ServiceID: 1, TicketType: "incident"}, ""},
		{"with form", RequestType{Name: "Order", ServiceID: 1, TicketType: "service_request",
			Fields: []Field{{Key: "qty", Label: "Quantity", Type: FieldNumber}}}, ""},
		{"no name", RequestType{ServiceID: 1, TicketType: "incident"}, "name"},
		{"no service", RequestType{Name: "Report", TicketType: "incident"}, "service"},
		{"no ticket type", RequestType{Name: "Report", ServiceID: 1}, "ticket_type"},
		{"unknown ticket type", RequestType{Name: "Report", ServiceID: 1, TicketType: "bug"}, "ticket_type"},
		{"bad form", RequestType{Name: "Report", ServiceID: 1, TicketType: "incident",
			Fields: []Field{{Key: "ok", Label: "OK", Type: FieldText}, {Key: "Bad Key", Label: "Bad", Type: FieldText}}}, "fields[1].key"},
	}
	for _, tt := range tests {
		rt := tt.rt
		err := rt.Validate(validType)
		wantInvalid(t, tt.name, err, tt.field)
		if tt.field == "" {
			if rt.Name != strings.TrimSpace(tt.rt.Name) {
				t.Errorf("%s: name %q not trimmed", tt.name, rt.Name)
			}
			if rt.Fields == nil {
				t.Errorf("%s: Fields left nil; it is stored and served as a list", tt.name)
			}
		}
	}
}

func TestServiceStatusValid(t *testing.T) {
	for _, s := range []ServiceStatus{ServicePipeline, ServiceLive, ServiceRetired} {
		if !s.Valid() {
			t.Errorf("%q.Valid() = false", s)
		}
	}
	for _, s := range []ServiceStatus{"", "Live", "archived"} {
		if s.Valid() {
			t.Errorf("%q.Valid() = true", s)
		}
	}
}
