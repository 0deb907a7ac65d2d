#!/usr/bin/env bash
# The real components the balancer and interoperability tests use, installed when missing (as root):
#   nginx from Debian's packages (the round-robin balancer), and the official MCP Python SDK from PyPI in a venv
#   (the reference client). Prints "NGINX PYTHON": the nginx binary and the venv's python.
#   ARGO_MCP_VENV overrides where the venv lives (default: ~/.cache/argo-mcp/venv, kept between runs).
set -euo pipefail

nginx_bin() { command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true; }

nginx=$(nginx_bin)
if [ -z "$nginx" ] && [ "$(id -u)" = 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  # No service is started: nginx runs as the tests configure it, unprivileged, on loopback.
  install() { apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1; }
  install nginx-light || install nginx \
    || { apt-get update -q >/dev/null 2>&1 && { install nginx-light || install nginx; }; } || true
  nginx=$(nginx_bin)
fi
[ -n "$nginx" ] || { echo "nginx is not installed: apt-get install nginx-light" >&2; exit 1; }

venv=${ARGO_MCP_VENV:-${HOME:-/root}/.cache/argo-mcp/venv}
if ! "$venv/bin/python" -c 'import mcp, importlib.metadata as m, sys; sys.exit(int(m.version("mcp").split(".")[0]) < 2)' \
  >/dev/null 2>&1; then
  python3 -m venv "$venv" >/dev/null 2>&1 \
    || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null 2>&1 \
      && python3 -m venv "$venv"; } \
    || { echo "cannot make a Python venv at $venv" >&2; exit 1; }
  "$venv/bin/pip" install -q --disable-pip-version-check "mcp>=2.3" >&2 \
    || { echo "cannot install the MCP Python SDK (mcp>=2.3) from PyPI" >&2; exit 1; }
fi
echo "$nginx $venv/bin/python"
