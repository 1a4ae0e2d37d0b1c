# In a .tfquery.hcl file next to the configuration (Terraform 1.14 and later):
#   terraform query -generate-config-out=users.tf
# writes an import block and a concur_user block for every user listed.
list "concur_user" "finance" {
  provider         = concur
  include_resource = true

  config {
    filter = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq \"Finance\""
  }
}
