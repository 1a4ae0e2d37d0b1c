# Try a template before putting it in a channel's attribute_mapping; in `terraform console`:
#   > provider::concur::render_template("{mail|localpart|lower}", { mail = "Ann.Able@Example.com" })
#   "ann.able"
#
# In a `terraform test` file, assert what a mapping renders for a sample person:
#   assert {
#     condition     = provider::concur::render_template("{mail|lower}", { mail = "A@Example.com" }) == "a@example.com"
#     error_message = "login_id must be the lower-case mail"
#   }

output "display_name" {
  value = provider::concur::render_template("{givenName} {sn|upper}", { givenName = "Ann", sn = "Able" }) # "Ann ABLE"
}
