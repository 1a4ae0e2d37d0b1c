resource "concur_user" "jane" {
  emp_id         = "000123"
  login_id       = "jane.roe@example.com"
  email          = "jane.roe@example.com"
  first_name     = "Jane"
  last_name      = "Roe"
  title          = "Analyst"
  department     = "Finance"
  cost_center    = "CC-100"
  manager_emp_id = "000001"
  timezone       = "Europe/Berlin"
  start_date     = "2025-01-15"
}
