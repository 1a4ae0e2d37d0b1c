# All active users of the Finance department, keyed by emp_id.
data "concur_users" "finance" {
  filter = "active eq true and urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq \"Finance\""
}

output "finance_logins" {
  value = [for user in data.concur_users.finance.users : user.login_id]
}
