# One user, by employee ID.
import {
  to = concur_user.jane
  id = "000123"
}

# Every existing user of a department at once: list them, then import each by emp_id.
data "concur_users" "finance" {
  filter = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq \"Finance\""
}

import {
  for_each = data.concur_users.finance.users
  to       = concur_user.finance[each.key]
  id       = each.key
}

# Take every attribute from what Concur holds: an attribute left out of the configuration is
# emptied in Concur at the next apply.
resource "concur_user" "finance" {
  for_each           = data.concur_users.finance.users
  emp_id             = each.value.emp_id
  login_id           = each.value.login_id
  email              = each.value.email
  first_name         = each.value.first_name
  last_name          = each.value.last_name
  middle_name        = each.value.middle_name
  nick_name          = each.value.nick_name
  title              = each.value.title
  active             = each.value.active
  preferred_language = each.value.preferred_language
  timezone           = each.value.timezone
  department         = each.value.department
  cost_center        = each.value.cost_center
  division           = each.value.division
  manager_emp_id     = each.value.manager_emp_id
  start_date         = each.value.start_date
  termination_date   = each.value.termination_date
  external_id        = each.value.external_id
}
