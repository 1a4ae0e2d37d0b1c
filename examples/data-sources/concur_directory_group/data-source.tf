# Everyone in the Concur group, including the members of its nested groups, keyed by the
# attribute that holds the Concur employee ID.
data "concur_directory_group" "travellers" {
  dn            = "cn=concur-users,ou=groups,dc=example,dc=com"
  attributes    = ["mail", "givenName", "sn", "title"]
  key_attribute = "employeeNumber"
}

# One Concur user per member. A member who leaves the group shows in the next plan as a
# destroy, which deactivates the Concur user; a member disabled in the directory (see the
# provider's directory.disabled_filter) is kept but made inactive.
resource "concur_user" "traveller" {
  for_each = data.concur_directory_group.travellers.members

  emp_id     = each.key
  login_id   = each.value.attributes.mail
  email      = each.value.attributes.mail
  first_name = each.value.attributes.givenName
  last_name  = each.value.attributes.sn
  title      = lookup(each.value.attributes, "title", null)
  active     = !each.value.disabled
}

# The same group found by name, with direct members only.
data "concur_directory_group" "finance" {
  name          = "finance"
  base_dn       = "ou=groups,dc=example,dc=com"
  nested        = false
  key_attribute = "employeeNumber"
}

# Members without an employeeNumber, or sharing one, are left out of members and named in a
# warning; this check repeats it as a failed assertion after every plan and apply.
check "every_traveller_is_keyed" {
  assert {
    condition     = length(data.concur_directory_group.travellers.members) == data.concur_directory_group.travellers.member_count
    error_message = "Some members of the Concur group have no unique employeeNumber; see the warning."
  }
}
