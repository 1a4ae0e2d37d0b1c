#!/usr/bin/env bash
# Installs Samba's Active Directory domain controller and the tools the directory tests use to
# provision and fill a throwaway domain (internal/directory/adtest). Does nothing when they are
# present. The packages start no system DC: the tests provision their own domain into a temporary
# folder and run it as their own process.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]; }

# samba-ad-provision holds the schema and templates that samba-tool domain provision reads.
if have samba && have samba-tool && have ldapadd && [ -d /usr/share/samba/setup ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
$sudo apt-get update
# krb5-user asks for a default realm; noninteractive leaves it unset, which the tests do not need.
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
  samba samba-ad-dc samba-ad-provision ldb-tools ldap-utils krb5-user winbind
