# Look a user up by exactly one of emp_id, login_id or id.
data "concur_user" "manager" {
  emp_id = "000001"
}

data "concur_user" "by_login" {
  login_id = "jane.roe@example.com"
}

output "manager_name" {
  value = data.concur_user.manager.display_name
}
