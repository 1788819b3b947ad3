#!/usr/bin/env bash
# Tests scripts/pr-comment.sh against a stub `gh`: the first run creates the
# comment (with the hidden marker), a later run updates that same comment.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

mkdir "$tmp/bin"
cat >"$tmp/bin/gh" <<'STUB'
#!/usr/bin/env bash
# Stub: logs the call; lists STUB_EXISTING as the one marked comment's id.
echo "gh $*" >>"$STUB_LOG"
for a in "$@"; do
  case "$a" in body=@*) cat "${a#body=@}" >>"$STUB_LOG" ;; esac
done
if [ "$2" != "--method" ] && [ -n "${STUB_EXISTING:-}" ]; then echo "$STUB_EXISTING"; fi
STUB
chmod +x "$tmp/bin/gh"
printf '## release-gate: NO-GO\n| gate | status |\n' >"$tmp/report.md"

export PATH="$tmp/bin:$PATH" GITHUB_REPOSITORY=acme/models STUB_LOG="$tmp/log"
fail() { echo "FAIL: $1"; cat "$STUB_LOG"; exit 1; }

bash "$here/pr-comment.sh" "$tmp/report.md" 12 >/dev/null
grep -q '^gh api --method POST repos/acme/models/issues/12/comments' "$STUB_LOG" || fail "create"
grep -q '^<!-- release-gate -->$' "$STUB_LOG" || fail "marker"
grep -q '^## release-gate: NO-GO$' "$STUB_LOG" || fail "body"

: >"$STUB_LOG"
STUB_EXISTING=987 bash "$here/pr-comment.sh" "$tmp/report.md" 12 >/dev/null
grep -q '^gh api --method PATCH repos/acme/models/issues/comments/987' "$STUB_LOG" || fail "update"
if grep -q -- '--method POST' "$STUB_LOG"; then fail "a second comment was created"; fi

out="$(bash "$here/pr-comment.sh" "$tmp/missing.md" 12)"
[[ "$out" == *"::warning"* ]] || fail "missing report is a warning"
echo "pr-comment.sh: all 3 checks ok"
