package provider

import (
	_ "github.com/hashicorp/terraform-plugin-framework/providerserver"
	_ "github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	_ "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	_ "github.com/hashicorp/terraform-plugin-log/tflog"
	_ "golang.org/x/oauth2"
	_ "golang.org/x/time/rate"
	_ "github.com/go-ldap/ldap/v3"
	_ "github.com/jimlambrt/gldap"
	_ "github.com/scim2/filter-parser/v2"
)
