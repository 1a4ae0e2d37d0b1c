#!/usr/bin/env bash
# Installs the Go-built tools the project needs into .tools/bin, skipping any already there.
# Terraform is built from source because its release downloads are not reachable from CI
# (see TOOLCHAIN notes in the README); 1.8.5 is the newest release `go install` accepts.
#
# Terraform 1.14 and OpenTofu cannot be installed with `go install`; they are built from a
# writable copy of their module (see build_terraform_114 and install_tofu).
#
# usage: tools/install-go-tools.sh [terraform] [terraform-1.14] [tofu] [tfplugindocs] [golangci-lint]   (default: all)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/.tools/bin"
mkdir -p "$bin"

TERRAFORM_VERSION=1.8.5
TERRAFORM_NEW_VERSION=1.14.3
TOFU_VERSION=1.12.6
TFPLUGINDOCS_VERSION=v0.25.0
GOLANGCI_LINT_VERSION=v2.15.0

install_terraform() {
  if [ -x "$bin/terraform" ] && "$bin/terraform" version 2>/dev/null | grep -q "v$TERRAFORM_VERSION\$"; then
    return
  fi
  echo "building terraform $TERRAFORM_VERSION into $bin (a few minutes the first time)"
  GOBIN="$bin" go install \
    -ldflags "-s -w -X github.com/hashicorp/terraform/version.dev=no" \
    "github.com/hashicorp/terraform@v$TERRAFORM_VERSION"
}

# module_copy copies a module from the Go module cache into a fresh writable folder and prints it.
module_copy() {
  local dir copy
  dir="$(go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -n "$dir" ] || { echo "go mod download $1 gave no module folder" >&2; exit 1; }
  copy="$(mktemp -d)"
  cp -r "$dir/." "$copy"
  chmod -R u+w "$copy"
  echo "$copy"
}

# Terraform 1.14's module lacks the nested modules (nine state backends under
# internal/backend/remote-state/ and internal/legacy) that its go.mod replaces with ./ paths:
# the copy drops them, which leaves a CLI without those nine state backends, enough for tests.
install_terraform_new() {
  # A folder of its own, so a command can put this terraform first on PATH (docs generation).
  local target="$root/.tools/terraform-${TERRAFORM_NEW_VERSION%.*}/terraform"
  mkdir -p "$(dirname "$target")"
  if [ -x "$target" ] && "$target" version 2>/dev/null | grep -q "v$TERRAFORM_NEW_VERSION\$"; then
    return
  fi
  echo "building terraform $TERRAFORM_NEW_VERSION into $target (a few minutes the first time)"
  local src
  src="$(module_copy "github.com/hashicorp/terraform@v$TERRAFORM_NEW_VERSION")"
  sed -i -E '/github.com\/hashicorp\/terraform\/internal\/(backend\/remote-state\/(azure|consul|cos|gcs|kubernetes|oci|oss|pg|s3)|legacy)( |$)/d' "$src/go.mod"
  sed -i -E '/"github.com\/hashicorp\/terraform\/internal\/backend\/remote-state\/(azure|consul|cos|gcs|kubernetes|oci|oss|pg|s3)"/d; /backend(Azure|Consul|Cos|GCS|Kubernetes|OCI|OSS|Pg|S3)\.New\(\)/d' \
    "$src/internal/backend/init/init.go"
  (cd "$src" && go build -mod=mod -ldflags "-s -w -X github.com/hashicorp/terraform/version.dev=no" -o "$target" .)
  rm -rf "$src"
}

install_tofu() {
  local target="$bin/tofu"
  if [ -x "$target" ] && "$target" version 2>/dev/null | grep -q "v$TOFU_VERSION\$"; then
    return
  fi
  echo "building OpenTofu $TOFU_VERSION into $target (a few minutes the first time)"
  local src
  src="$(module_copy "github.com/opentofu/opentofu@v$TOFU_VERSION")"
  (cd "$src" && go build -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" -o "$target" ./cmd/tofu)
  rm -rf "$src"
}

install_tfplugindocs() {
  [ -x "$bin/tfplugindocs" ] && return
  echo "installing tfplugindocs $TFPLUGINDOCS_VERSION"
  GOBIN="$bin" go install "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs@$TFPLUGINDOCS_VERSION"
}

install_golangci_lint() {
  [ -x "$bin/golangci-lint" ] && return
  echo "installing golangci-lint $GOLANGCI_LINT_VERSION"
  GOBIN="$bin" go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$GOLANGCI_LINT_VERSION"
}

tools=("$@")
[ ${#tools[@]} -eq 0 ] && tools=(terraform terraform-1.14 tofu tfplugindocs golangci-lint)
for tool in "${tools[@]}"; do
  case "$tool" in
    terraform) install_terraform ;;
    terraform-1.14) install_terraform_new ;;
    tofu) install_tofu ;;
    tfplugindocs) install_tfplugindocs ;;
    golangci-lint) install_golangci_lint ;;
    *) echo "unknown tool: $tool (known: terraform terraform-1.14 tofu tfplugindocs golangci-lint)" >&2; exit 2 ;;
  esac
done
