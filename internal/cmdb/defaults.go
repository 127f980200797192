package cmdb

// DefaultType is a built-in CI type, with its parent named by key. Parents
// come before their subtypes.
type DefaultType struct {
	CIType
	ParentKey string
}

var environments = []string{"production", "staging", "test", "development"}

// DefaultTypes gives the CI types every Cairn starts with. Admins may
// change them afterwards; Cairn only adds those that are missing.
func DefaultTypes() []DefaultType {
	env := Attribute{Key: "environment", Label: "Environment", Type: AttrSelect, Options: environments}
	text := func(key, label string) Attribute { return Attribute{Key: key, Label: label, Type: AttrText} }
	hostname := Attribute{Key: "hostname", Label: "Host name", Type: AttrText, Required: true, Unique: true,
		Help: "The fully qualified name, unique among CIs of this type."}
	ip := Attribute{Key: "ip_address", Label: "IP address", Type: AttrIP}
	os := text("operating_system", "Operating system")
	number := func(key, label string) Attribute { return Attribute{Key: key, Label: label, Type: AttrNumber} }
	person := func(key, label string) Attribute { return Attribute{Key: key, Label: label, Type: AttrPerson} }
	t := func(key, name, parent, desc string, attrs ...Attribute) DefaultType {
		if attrs == nil {
			attrs = []Attribute{}
		}
		return DefaultType{CIType: CIType{Key: key, Name: name, Description: desc, Attributes: attrs, BuiltIn: true}, ParentKey: parent}
	}
	return []DefaultType{
		t("business_service", "Business service", "", "A service as the business sees it, such as Payroll or Online shop.",
			person("service_owner", "Service owner"),
			Attribute{Key: "url", Label: "URL", Type: AttrURL},
		),
		t("application", "Application", "", "Software that IT runs for its users.",
			text("vendor", "Vendor"), text("version", "Version"), env,
			Attribute{Key: "url", Label: "URL", Type: AttrURL},
			person("application_owner", "Application owner"),
		),
		t("database", "Database", "", "A database instance or schema.",
			Attribute{Key: "engine", Label: "Engine", Type: AttrSelect, Options: []string{"PostgreSQL", "MySQL", "MariaDB", "SQL Server", "Oracle", "SQLite", "MongoDB", "Other"}},
			text("version", "Version"), env, number("port", "Port"),
		),
		t("hardware", "Hardware", "", "A physical item with a serial number.",
			Attribute{Key: "serial_number", Label: "Serial number", Type: AttrText, Unique: true},
			Attribute{Key: "asset_tag", Label: "Asset tag", Type: AttrText, Unique: true},
			text("vendor", "Vendor"), text("model", "Model"), text("location", "Location"),
			Attribute{Key: "purchase_date", Label: "Purchase date", Type: AttrDate},
			Attribute{Key: "warranty_expiry", Label: "Warranty expiry", Type: AttrDate},
		),
		t("server", "Server", "hardware", "A physical server.",
			hostname, ip, os, env, number("cpu_cores", "CPU cores"), number("memory_gb", "Memory (GB)"),
		),
		t("linux_server", "Linux server", "server", "A physical server running Linux.",
			text("distribution", "Distribution"), text("kernel_version", "Kernel version"),
		),
		t("windows_server", "Windows server", "server", "A physical server running Windows.",
			text("edition", "Edition"), text("domain", "Domain"),
		),
		t("virtual_machine", "Virtual machine", "", "A virtual machine, on premises or in a cloud.",
			hostname, ip, os, env, number("cpu_cores", "CPU cores"), number("memory_gb", "Memory (GB)"),
			text("hypervisor", "Hypervisor"),
		),
		t("network_device", "Network device", "hardware", "A router, switch, firewall, load balancer or access point.",
			Attribute{Key: "hostname", Label: "Host name", Type: AttrText, Unique: true}, ip,
			Attribute{Key: "device_role", Label: "Role", Type: AttrSelect, Options: []string{"router", "switch", "firewall", "load balancer", "access point", "other"}},
			text("firmware_version", "Firmware version"),
		),
		t("laptop", "Laptop", "hardware", "A laptop given to someone.",
			Attribute{Key: "hostname", Label: "Host name", Type: AttrText, Unique: true}, os,
			person("assigned_to", "Assigned to"),
		),
		t("mobile_device", "Mobile device", "hardware", "A phone or tablet.",
			Attribute{Key: "imei", Label: "IMEI", Type: AttrText, Unique: true},
			text("phone_number", "Phone number"), os, person("assigned_to", "Assigned to"),
		),
		t("cloud_account", "Cloud account", "", "An account or subscription with a cloud provider.",
			Attribute{Key: "provider", Label: "Provider", Type: AttrSelect, Required: true, Options: []string{"AWS", "Azure", "Google Cloud", "Other"}},
			Attribute{Key: "account_id", Label: "Account id", Type: AttrText, Required: true, Unique: true},
			env, person("billing_owner", "Billing owner"),
		),
		t("software_licence", "Software licence", "", "A licence or subscription for software.",
			Attribute{Key: "vendor", Label: "Vendor", Type: AttrText, Required: true},
			text("product", "Product"),
			Attribute{Key: "licence_type", Label: "Licence type", Type: AttrSelect, Options: []string{"subscription", "perpetual", "open source"}},
			number("seats", "Seats"),
			Attribute{Key: "expiry_date", Label: "Expiry date", Type: AttrDate},
			number("annual_cost", "Annual cost"),
			Attribute{Key: "contract_url", Label: "Contract", Type: AttrURL},
		),
	}
}
