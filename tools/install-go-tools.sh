#!/usr/bin/env bash
# Installs the Go-built tools the project needs into .tools/bin, skipping any already there.
# Terraform is built from source because its release downloads are not reachable from CI
# (see TOOLCHAIN notes in the README); 1.8.5 is the newest release `go install` accepts.
#
# usage: tools/install-go-tools.sh [terraform] [tfplugindocs] [golangci-lint]   (default: all)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/.tools/bin"
mkdir -p "$bin"

TERRAFORM_VERSION=1.8.5
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
[ ${#tools[@]} -eq 0 ] && tools=(terraform tfplugindocs golangci-lint)
for tool in "${tools[@]}"; do
  case "$tool" in
    terraform) install_terraform ;;
    tfplugindocs) install_tfplugindocs ;;
    golangci-lint) install_golangci_lint ;;
    *) echo "unknown tool: $tool (known: terraform tfplugindocs golangci-lint)" >&2; exit 2 ;;
  esac
done
