# Import an existing Concur user by its employee ID (emp_id).
terraform import concur_user.jane 000123
