# Every argument can come from a CONCUR_* environment variable instead; in CI and in
# Terraform Cloud set them as (sensitive) environment variables and write `provider "concur" {}`.
provider "concur" {
  base_url      = "https://us2.api.concursolutions.com"
  client_id     = var.concur_client_id
  client_secret = var.concur_client_secret
  refresh_token = var.concur_refresh_token

  # Keep the newest refresh token when Concur rotates it.
  token_file = "${path.root}/.concur-token.json"

  # Stay well under Concur's limits, whatever -parallelism is.
  requests_per_second = 20
  max_concurrency     = 8

  # The LDAP directory that concur_directory_group and concur_provisioning_mapping read; every argument can also come from a
  # CONCUR_DIRECTORY_* environment variable (CONCUR_DIRECTORY_URL, ..._BIND_PASSWORD, ...).
  directory {
    url             = "ldaps://ldap.example.com"
    bind_dn         = "cn=concur-reader,ou=service,dc=example,dc=com"
    bind_password   = var.directory_bind_password
    ca_cert_pem     = file("${path.module}/corp-ca.pem")
    timeout         = "20s"
    disabled_filter = "(pwdAccountLockedTime=*)"
  }
}

variable "concur_client_id" {
  type = string
}

variable "concur_client_secret" {
  type      = string
  sensitive = true
}

variable "concur_refresh_token" {
  type      = string
  sensitive = true
}

variable "directory_bind_password" {
  type      = string
  sensitive = true
}
