#!/usr/bin/env bash
# Creates or updates the one release-gate comment on a pull request.
#   pr-comment.sh REPORT_MD PR_NUMBER
# The comment is found by a hidden marker on its first line, so every run
# edits the same comment instead of adding one per push. Needs `gh`, GH_TOKEN
# with `pull-requests: write`, and GITHUB_REPOSITORY (set by Actions).
# A failure to comment is a warning: the verdict, not the comment, fails CI.
set -euo pipefail

marker='<!-- release-gate -->'
report="${1:?usage: pr-comment.sh REPORT_MD PR_NUMBER}"
pr="${2:?usage: pr-comment.sh REPORT_MD PR_NUMBER}"
repo="${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is not set}"

if [ ! -s "$report" ]; then
  echo "::warning title=release-gate::no $report to comment with"
  exit 0
fi

body="$(mktemp)"
trap 'rm -f "$body"' EXIT
{
  echo "$marker"
  cat "$report"
} >"$body"

warn() {
  echo "::warning title=release-gate::could not $1 the PR comment (does the workflow grant 'pull-requests: write'?)"
  exit 0
}

existing="$(gh api --paginate "repos/$repo/issues/$pr/comments" \
  --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | head -n 1)" || warn "find"

if [ -n "$existing" ]; then
  gh api --method PATCH "repos/$repo/issues/comments/$existing" -F "body=@$body" >/dev/null || warn "update"
  echo "updated PR comment $existing"
else
  gh api --method POST "repos/$repo/issues/$pr/comments" -F "body=@$body" >/dev/null || warn "create"
  echo "created a PR comment on #$pr"
fi
