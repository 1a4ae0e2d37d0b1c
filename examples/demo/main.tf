# The demo: one provisioning channel from the bundled LDAP directory's concur-users group
# (with its nested finance group) into the bundled Concur sandbox. `make demo` runs it.
terraform {
  required_providers {
    concur = { source = "terraform-concur/concur" }
  }
}

# Concur credentials and the directory connection come from the CONCUR_* environment
# variables the sandbox prints.
provider "concur" {}

resource "concur_provisioning_mapping" "staff" {
  source = {
    group_dn = "cn=concur-users,ou=groups,dc=example,dc=com"
    nested   = true
  }

  attribute_mapping = {
    emp_id     = "{employeeNumber}"
    login_id   = "{mail|lower}"
    email      = "{mail|lower}"
    first_name = "{givenName}"
    last_name  = "{sn}"
    title      = "{title|default:Employee}"
    department = "{departmentNumber}"
    # The manager attribute holds the manager's DN; ref reads the manager's employee number.
    manager_emp_id = "{manager|ref:employeeNumber}"
  }
}

locals {
  # Each user of a channel is a JSON string in its state (one value per person keeps plans of a
  # whole company quick); jsondecode reads it.
  staff = { for emp_id, user in concur_provisioning_mapping.staff.users : emp_id => jsondecode(user) }
}

output "users" {
  description = "The users the channel manages, by emp_id."
  value = {
    for emp_id, user in local.staff :
    emp_id => format("%-20s %-26s %-6s manager %-5s %s", "${user.attributes.first_name} ${user.attributes.last_name}",
    user.attributes.title, user.attributes.department, user.attributes.manager_emp_id, user.active ? "active" : "deactivated")
  }
}
