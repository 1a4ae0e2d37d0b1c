#!/usr/bin/env bash
# Installs OpenLDAP's slapd and the ldap-utils client tools, which the directory
# tests run as a private, throwaway server. Does nothing when they are present.
# The Debian package does not start a system slapd on these machines.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }

if have slapd && have slaptest && have ldapadd; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
$sudo apt-get update
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slapd ldap-utils
