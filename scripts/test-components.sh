#!/usr/bin/env bash
# The real components the balancer, interoperability and browser tests use, installed when missing (as root):
#   nginx from Debian's packages (the round-robin balancer), the official MCP Python SDK from PyPI in a venv (the
#   reference client, with `websockets` to drive the browser), and headless Chromium from Debian's packages (the
#   browser the MCP App view is tested in). Prints "NGINX PYTHON CHROMIUM": the binaries.
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
if ! "$venv/bin/python" -c 'import mcp, websockets, importlib.metadata as m, sys; sys.exit(int(m.version("mcp").split(".")[0]) < 2)' \
  >/dev/null 2>&1; then
  python3 -m venv "$venv" >/dev/null 2>&1 \
    || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null 2>&1 \
      && python3 -m venv "$venv"; } \
    || { echo "cannot make a Python venv at $venv" >&2; exit 1; }
  "$venv/bin/pip" install -q --disable-pip-version-check "mcp>=2.3" "websockets>=12" >&2 \
    || { echo "cannot install the MCP Python SDK (mcp>=2.3) and websockets from PyPI" >&2; exit 1; }
fi

chromium_bin() { command -v chromium-headless-shell 2>/dev/null || command -v chromium 2>/dev/null || true; }
chromium=$(chromium_bin)
if [ -z "$chromium" ] && [ "$(id -u)" = 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  # The headless shell alone (no desktop): what the view is drawn in, driven over the DevTools protocol.
  install() { apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1; }
  install chromium-headless-shell || { apt-get update -q >/dev/null 2>&1 && install chromium-headless-shell; } \
    || install chromium || true
  chromium=$(chromium_bin)
fi
[ -n "$chromium" ] || { echo "headless Chromium is not installed: apt-get install chromium-headless-shell" >&2; exit 1; }
echo "$nginx $venv/bin/python $chromium"
