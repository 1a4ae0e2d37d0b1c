#!/usr/bin/env bash
# The demo: start the bundled Concur sandbox, apply examples/demo with the freshly built
# provider, show the users, prove a second plan is empty, then stop the sandbox.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
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

step "Starting the Concur sandbox"
go build -o "$work/concur-sandbox" "$root/internal/cmd/concur-sandbox"
"$work/concur-sandbox" -addr 127.0.0.1:0 -seed "$root/examples/demo/concur-seed.json" \
  -env-file "$work/sandbox.env" -ready-file "$work/ready" >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/ready" ] && break
  kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.log"; exit 1; }
  sleep 0.1
done
[ -s "$work/ready" ] || { echo "the sandbox did not start"; cat "$work/sandbox.log"; exit 1; }
# shellcheck disable=SC1091
source "$work/sandbox.env"
echo "sandbox at $CONCUR_BASE_URL"

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
cp "$root"/examples/demo/*.tf "$work/config/"
tf() { terraform -chdir="$work/config" "$@"; }

step "terraform apply: import 100001 by emp_id, create 100002 and 100003"
tf apply -auto-approve -no-color 2>&1 | grep -v "Provider development overrides" | sed -n '/Terraform will perform/,$p'

step "The users now in Concur"
tf output -no-color users

step "terraform plan again: nothing to change"
set +e
tf plan -detailed-exitcode -no-color >"$work/plan.txt" 2>&1
code=$?
set -e
grep -E "No changes|Plan:" "$work/plan.txt" || true
if [ "$code" -ne 0 ]; then echo "the second plan was not empty (exit $code)"; cat "$work/plan.txt"; exit 1; fi

step "Demo finished"
