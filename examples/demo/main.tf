# The demo: one user who already exists in Concur is imported by emp_id, two new users are
# created and report to her. `make demo` runs this against the bundled sandbox.
terraform {
  required_providers {
    concur = { source = "terraform-concur/concur" }
  }
}

# Credentials come from the CONCUR_* environment variables the sandbox prints.
provider "concur" {}

import {
  to = concur_user.people["100001"]
  id = "100001"
}

locals {
  people = {
    "100001" = { login = "grace.hopper@example.com", first = "Grace", last = "Hopper", title = "Chief Engineer", manager = null }
    "100002" = { login = "alan.turing@example.com", first = "Alan", last = "Turing", title = "Engineer", manager = "100001" }
    "100003" = { login = "ada.lovelace@example.com", first = "Ada", last = "Lovelace", title = "Analyst", manager = "100001" }
  }
}

resource "concur_user" "people" {
  for_each       = local.people
  emp_id         = each.key
  login_id       = each.value.login
  email          = each.value.login
  first_name     = each.value.first
  last_name      = each.value.last
  title          = each.value.title
  department     = "Engineering"
  manager_emp_id = each.value.manager
}

output "users" {
  description = "The managed Concur users, by emp_id."
  value = {
    for emp_id, user in concur_user.people :
    emp_id => "${user.display_name} <${user.login_id}>, ${user.title}, active=${user.active}, id=${user.id}"
  }
}
