#!/usr/bin/env bash
# Tests .pre-commit-hooks.yaml with `pre-commit try-repo` on a temp git repo
# holding a copy of the shipped example:
#   - release-gate-validate (language: python, builds this repository with
#     maturin) passes on the example and fails, naming the key, on a
#     gates.toml with a typo;
#   - release-gate-validate-system (language: system) passes with the
#     release binary on PATH.
#
#   bash scripts/test_pre_commit.sh [RELEASE_GATE_BINARY]
#
# CARGO_TARGET_DIR is taken from the environment (default: ./target), so the
# hook's build reuses the release dependency builds.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
bin="${1:-$CARGO_TARGET_DIR/release/release-gate}"
test -x "$bin" || { echo "test_pre_commit: no binary at $bin" >&2; exit 2; }

tools="${RELEASE_GATE_PRECOMMIT_VENV:-$root/.ci/.venv-precommit}"
if [ ! -x "$tools/bin/pre-commit" ]; then
  python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check "pre-commit>=3.5,<5"
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export PRE_COMMIT_HOME="$tmp/cache"
repo="$tmp/user-repo"
mkdir "$repo"
cp "$root/gates.toml" "$repo/"
mkdir -p "$repo/examples"
cp -R "$root/examples/churn" "$repo/examples/"
git -C "$repo" init --quiet
git -C "$repo" add -A
git -C "$repo" -c user.name=ci -c user.email=ci@example.invalid commit --quiet -m example

try_repo() {
  (cd "$repo" && "$tools/bin/pre-commit" try-repo "$root" "$1" --all-files) > "$tmp/out.txt" 2>&1
}

if ! try_repo release-gate-validate; then
  cat "$tmp/out.txt" >&2
  echo "test_pre_commit: release-gate-validate failed on the shipped example" >&2
  exit 1
fi
grep -F "release-gate validate" "$tmp/out.txt" | grep -F "Passed" >/dev/null

# A typo in a gate key: the hook must fail and say which key.
sed -i 's/^min = 0\.\([0-9]*\)$/mni = 0.\1/' "$repo/gates.toml"
grep -q '^mni = ' "$repo/gates.toml"
if try_repo release-gate-validate; then
  cat "$tmp/out.txt" >&2
  echo "test_pre_commit: release-gate-validate passed a gates.toml with a typo" >&2
  exit 1
fi
grep -F "mni" "$tmp/out.txt" >/dev/null
git -C "$repo" checkout --quiet gates.toml

mkdir "$tmp/bin"
cp "$bin" "$tmp/bin/release-gate"
if ! PATH="$tmp/bin:$PATH" try_repo release-gate-validate-system; then
  cat "$tmp/out.txt" >&2
  echo "test_pre_commit: release-gate-validate-system failed on the shipped example" >&2
  exit 1
fi
grep -F "Passed" "$tmp/out.txt" >/dev/null
echo "test_pre_commit: both hooks pass the example; a typo in gates.toml fails the hook"
