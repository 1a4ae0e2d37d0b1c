# Terraform 1.12 and later, OpenTofu 1.12 and later: import by the user's identity, its emp_id.
import {
  to       = concur_user.jane
  identity = { emp_id = "000123" }
}
