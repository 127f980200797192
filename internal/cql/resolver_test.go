package cql

import (
	"strings"
	"time"

	"github.com/cairn-itsm/cairn/internal/catalog"
	"github.com/cairn-itsm/cairn/internal/ticket"
)

// fakeNames is a small directory for compiler tests.
type fakeNames struct{}

var fakeIDs = map[Entity]map[string][]int64{
	EntityService:      {"laptop setup": {1}, "network": {2}},
	EntityRequestType:  {"new laptop": {10, 11}},
	EntityUser:         {"ann@example.com": {100}, "ann agent": {100}, "bob": {101, 102}},
	EntityTeam:         {"service desk": {7}},
	EntityOrganization: {"finance": {20}},
}

var fakeNameLists = map[Entity][]string{
	EntityService:      {"Laptop setup", "Network"},
	EntityRequestType:  {"New laptop"},
	EntityTeam:         {"Service Desk"},
	EntityOrganization: {"Finance"},
}

func (fakeNames) IDs(e Entity, name string) ([]int64, error) {
	return fakeIDs[e][strings.ToLower(name)], nil
}

func (fakeNames) Names(e Entity) ([]string, error) { return fakeNameLists[e], nil }

func (fakeNames) Statuses() ([]ticket.Status, error) {
	return []ticket.Status{
		{Name: "Open", Category: ticket.CategoryToDo}, {Name: "In Progress", Category: ticket.CategoryInProgress},
		{Name: "Waiting for customer", Category: ticket.CategoryInProgress}, {Name: "Resolved", Category: ticket.CategoryDone},
		{Name: "Closed", Category: ticket.CategoryDone}, {Name: "Done", Category: ticket.CategoryDone},
		{Name: "OPEN", Category: ticket.CategoryToDo}, {Name: "Open", Category: ticket.CategoryToDo},
	}, nil
}

func (fakeNames) TeamMembers(team string) ([]int64, bool, error) {
	if strings.EqualFold(team, "service desk") {
		return []int64{100, 103}, true, nil
	}
	return nil, false, nil
}

func (fakeNames) CustomFields() ([]CustomField, error) {
	return []CustomField{
		{Key: "laptop_model", Label: "Laptop model", Type: catalog.FieldSelect, Options: []string{"MacBook Pro", "ThinkPad X1"}},
		{Key: "ram_gb", Label: "RAM (GB)", Type: catalog.FieldNumber},
		{Key: "needed_by", Label: "Needed by", Type: catalog.FieldDate},
		{Key: "software", Label: "Software", Type: catalog.FieldMultiSelect, Options: []string{"Office", "Slack", "Zoom"}},
		{Key: "approver", Label: "Approver", Type: catalog.FieldUser},
		{Key: "urgent", Label: "Urgent", Type: catalog.FieldCheckbox},
		{Key: "notes", Label: "Notes", Type: catalog.FieldLongText},
		{Key: "device", Label: "Device", Type: catalog.FieldSelect, Options: []string{"Laptop", "Phone"}},
		{Key: "device", Label: "Device", Type: catalog.FieldSelect, Options: []string{"Desktop"}},
		{Key: "loc1", Label: "Location", Type: catalog.FieldText},
		{Key: "loc2", Label: "Location", Type: catalog.FieldText},
		{Key: "size", Label: "Size", Type: catalog.FieldNumber},
		{Key: "size", Label: "Size", Type: catalog.FieldText},
		{Key: "model", Label: "Model", Type: catalog.FieldText},
		{Key: "model", Label: "Model", Type: catalog.FieldSelect, Options: []string{"A"}},
	}, nil
}

func (fakeNames) CurrentUser() int64 { return 100 }

// fakeNow is Saturday 31 January 2026, 10:30 UTC.
var fakeNow = time.Date(2026, 1, 31, 10, 30, 0, 0, time.UTC)

func (fakeNames) Now() time.Time { return fakeNow }

func (fakeNames) Location() *time.Location { return time.UTC }
