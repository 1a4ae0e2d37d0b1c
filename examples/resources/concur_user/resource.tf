resource "concur_user" "jane" {
  emp_id         = "000123"
  login_id       = "jane.roe@example.com"
  email          = "jane.roe@example.com"
  first_name     = "Jane"
  last_name      = "Roe"
  title          = "Analyst"
  department     = "Finance"
  cost_center    = "CC-100"
  manager_emp_id = concur_user.sam.emp_id
  timezone       = "Europe/Berlin"
  start_date     = "2025-01-15"

  # Concur Expense: the Spend profile, written through the User Provisioning Service.
  reimbursement_currency = "EUR"
  country                = "DE"
  state_province         = "BY"
  locale                 = "de-DE"
  ledger_code            = "DEFAULT"
  reimbursement_type     = "ACCOUNTS_PAYABLE"
  office_location_city   = "Munich"
  org_unit1              = "EMEA"
  custom1                = "Blue team"

  # Approvers by emp_id; each needs the spend role of its approval.
  report_approver_emp_id  = concur_user.sam.emp_id
  request_approver_emp_id = concur_user.sam.emp_id

  # Concur Travel.
  travel_rule_class      = "Default Travel Class"
  travel_approver_emp_id = concur_user.sam.emp_id
}

# Jane's manager, who approves her expense reports and requests.
resource "concur_user" "sam" {
  emp_id     = "000001"
  login_id   = "sam.lee@example.com"
  email      = "sam.lee@example.com"
  first_name = "Sam"
  last_name  = "Lee"

  reimbursement_currency = "EUR"
  country                = "DE"
  locale                 = "de-DE"
  spend_roles            = "EXP_APPROVER,REQ_APPROVER"
}
