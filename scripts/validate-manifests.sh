#!/usr/bin/env bash
# Renders deploy/kubernetes (the base and every overlay) with kubectl kustomize and validates the result against
# the Kubernetes schemas offline (kubernetes-validate from PyPI, installed if missing), strictly: an unknown field fails.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v kubectl >/dev/null || { echo "validate-manifests: kubectl is needed to render deploy/kubernetes" >&2; exit 1; }
if ! command -v kubernetes-validate >/dev/null; then
  python3 -m pip install -q --disable-pip-version-check kubernetes-validate >/dev/null 2>&1 \
    || { echo "validate-manifests: cannot install kubernetes-validate from PyPI" >&2; exit 1; }
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
files=()
for dir in deploy/kubernetes/base deploy/kubernetes/overlays/*/; do
  name=$(echo "${dir%/}" | tr '/' '_')
  kubectl kustomize "$dir" >"$out/$name.yaml"
  files+=("$out/$name.yaml")
done
# The RBAC for argo-mcp's Argo token, applied as they are.
files+=(deploy/argo-rbac/*.yaml)
# The oldest Kubernetes still commonly run, and the newest the validator knows.
for version in 1.29.0 1.37.0; do
  kubernetes-validate --strict --quiet -k "$version" "${files[@]}"
done
echo "validate-manifests: ${#files[@]} files valid against Kubernetes 1.29 and 1.37"
