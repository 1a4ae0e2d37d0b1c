# Everyone in the concur-users group (and its nested groups) gets a Concur account, kept in
# step with Active Directory on every apply.
resource "concur_provisioning_mapping" "employees" {
  source = {
    group_dn = "CN=concur-users,OU=Groups,DC=corp,DC=example,DC=com"
    nested   = true
  }

  attribute_mapping = {
    emp_id         = "{employeeID}"
    login_id       = "{userPrincipalName|lower}"
    email          = "{mail|lower}"
    first_name     = "{givenName|trim}"
    last_name      = "{sn|trim}"
    title          = "{title|default:Employee}"
    department     = "{department}"
    cost_center    = "{extensionAttribute1}"
    manager_emp_id = "{manager|ref:employeeID}"
    timezone       = "Europe/Berlin"
    start_date     = "{extensionAttribute3}"

    # The Spend profile (Concur Expense) and the expense report approver.
    reimbursement_currency = "{extensionAttribute4|upper}"
    country                = "{c}"
    state_province         = "{st}"
    locale                 = "{preferredLanguage|default:en-US}"
    ledger_code            = "DEFAULT"
    office_location_city   = "{l}"
    org_unit1              = "{company}"
    report_approver_emp_id = "{manager|ref:employeeID}"
    spend_roles            = "{extensionAttribute5}" # such as "EXP_APPROVER,REQ_APPROVER", in alphabetical order
  }
  create_only_attributes = ["start_date", "timezone"]

  provision_disabled_users = false
  deprovision_action       = "deactivate"
  max_deprovisions         = 25
  on_destroy               = "keep"
}

# A filter source instead of a group, on OpenLDAP with a lock attribute.
resource "concur_provisioning_mapping" "contractors" {
  source = {
    filter          = "(&(objectClass=inetOrgPerson)(employeeType=contractor))"
    base_dn         = "ou=people,dc=example,dc=com"
    scope           = "one"
    disabled_filter = "(pwdAccountLockedTime=*)"
  }

  attribute_mapping = {
    emp_id     = "C{employeeNumber}"
    login_id   = "{uid}@contractors.example.com"
    email      = "{mail|lower}"
    first_name = "{givenName}"
    last_name  = "{sn}"
    title      = "Contractor"
  }
}
