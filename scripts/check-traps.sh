#!/usr/bin/env bash
# Fails when Sources/ (or Fuzz/) holds a trap that input from outside could reach: `try!`, `as!` or `fatalError(`.
# A crash ends the user's whole MCP session. A use that truly cannot be reached by foreign input goes in
# scripts/trap-allowlist.txt as `path:text-of-the-line` with a comment saying why.
set -uo pipefail
cd "$(dirname "$0")/.."
allow=scripts/trap-allowlist.txt
found=$(grep -rnE 'try!|as! |as!\(|fatalError\(' Sources Fuzz --include='*.swift' | grep -vE '^[^:]+:[0-9]+:\s*//' || true)
bad=""
while IFS= read -r hit; do
  [ -z "$hit" ] && continue
  file=${hit%%:*}
  text=$(sed -E 's/^[^:]+:[0-9]+:\s*//' <<<"$hit")
  if [ -f "$allow" ] && grep -vE '^\s*(#|$)' "$allow" | grep -qxF "$file:$text"; then continue; fi
  bad+="$hit"$'\n'
done <<<"$found"
if [ -n "$bad" ]; then
  echo "check-traps: a trap in code that reads outside input (handle the error instead, or allow-list it with a reason):"
  printf '%s' "$bad"
  exit 1
fi
echo "check-traps: no try!, as! or fatalError in Sources/ and Fuzz/"
