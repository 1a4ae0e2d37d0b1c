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

resource "concur_user" "finance" {
  for_each   = data.concur_users.finance.users
  emp_id     = each.value.emp_id
  login_id   = each.value.login_id
  email      = each.value.email
  first_name = each.value.first_name
  last_name  = each.value.last_name
  title      = each.value.title
  department = each.value.department
}
