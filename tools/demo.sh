#!/usr/bin/env bash
# The demo: start the bundled Concur sandbox and LDAP directory, provision the directory's
# concur-users group with a concur_provisioning_mapping, change the directory "the next
# morning", show the per-user plan, apply it, and prove the plan after that is empty.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
demo="$root/examples/demo"
export PATH="$root/.tools/bin:$PATH"
export CHECKPOINT_DISABLE=1
work="$(mktemp -d)"
sandbox_pid=""
cleanup() {
  if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
wait_for() { # wait_for FILE WHAT: up to 10 s
  for _ in $(seq 1 100); do
    [ -e "$1" ] && return 0
    kill -0 "$sandbox_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "$2 did not happen"; cat "$work/sandbox.log"; exit 1
}

step "Starting the Concur sandbox and the LDAP directory"
go build -o "$work/concur-sandbox" "$root/internal/cmd/concur-sandbox"
"$work/concur-sandbox" -addr 127.0.0.1:0 -seed "$demo/concur-seed.json" \
  -ldap-addr 127.0.0.1:0 -ldif-changes "$work/changes.ldif" \
  -env-file "$work/sandbox.env" -ready-file "$work/ready" >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
wait_for "$work/ready" "the sandbox start"
# shellcheck disable=SC1091
source "$work/sandbox.env"
echo "Concur sandbox at $CONCUR_BASE_URL (bob.nguyen, 1002, and his colleague david.okafor, 1004, already have accounts); directory at $CONCUR_DIRECTORY_URL"

# dev_overrides makes Terraform use the provider just built in bin/, with no registry.
cat >"$work/dev.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "terraform-concur/concur" = "$root/bin"
  }
  direct {}
}
TFRC
export TF_CLI_CONFIG_FILE="$work/dev.tfrc"
mkdir "$work/config"
cp "$demo/main.tf" "$work/config/"
tf() { terraform -chdir="$work/config" "$@" -no-color 2>&1 | grep -v -e "Provider development overrides" -e "^ - terraform-concur/concur in" -e "The behavior may therefore" -e "versions may not be fully" -e "published releases." -e "^$" -e "^╷" -e "^╵" || true; }

step "Day 1, terraform apply: the group's members are provisioned (bob is linked, not duplicated)"
tf apply -auto-approve | sed -n '/Warning:/,/Apply complete/p'

step "The users the channel manages"
terraform -chdir="$work/config" output -no-color users

step "Next morning in the directory: carla is locked, farid joins the group, emma's last name changes"
cp "$demo/next-morning.ldif" "$work/changes.ldif"
kill -HUP "$sandbox_pid"
wait_for "$work/changes.ldif.applied" "the directory change"

step "terraform plan: exactly those three users change"
tf plan | sed -n '/Terraform will perform/,$p'

step "terraform apply"
tf apply -auto-approve | grep -E "Apply complete|Warning: Provisioning"
terraform -chdir="$work/config" output -no-color users

step "terraform plan again: nothing to change"
set +e
terraform -chdir="$work/config" plan -detailed-exitcode -no-color >"$work/plan.txt" 2>&1
code=$?
set -e
grep -E "No changes|Plan:" "$work/plan.txt" || true
if [ "$code" -ne 0 ]; then echo "the last plan was not empty (exit $code)"; cat "$work/plan.txt"; exit 1; fi

step "Demo finished"
