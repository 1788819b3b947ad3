#!/usr/bin/env bash
# Builds the wheel with maturin, installs it into a fresh venv, and runs the
# installed `release-gate check` on a temp copy of the shipped example:
# report.json must exist and the exit code be 0 (GO) or 1 (NO-GO).
#
#   bash scripts/test_wheel.sh
#
# CARGO_TARGET_DIR is taken from the environment (default: ./target), so a
# previous `cargo build --release` is reused instead of rebuilt from scratch.
# RELEASE_GATE_MATURIN_VENV (default .ci/.venv-maturin) caches maturin.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

tools="${RELEASE_GATE_MATURIN_VENV:-$root/.ci/.venv-maturin}"
if [ ! -x "$tools/bin/maturin" ]; then
  python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check "maturin>=1.9,<2"
fi

# The wheel: the release profile (as the published wheels), this platform only.
"$tools/bin/maturin" build --release --locked --out "$tmp/dist" >&2
wheels=("$tmp"/dist/release_gate_ml-*.whl)
if [ "${#wheels[@]}" -ne 1 ] || [ ! -f "${wheels[0]}" ]; then
  echo "test_wheel: expected one wheel in $tmp/dist, found: ${wheels[*]}" >&2
  exit 1
fi
wheel="${wheels[0]}"
echo "test_wheel: built $(basename "$wheel")" >&2

# A fresh venv with nothing but the wheel: `release-gate` must land on PATH.
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheel"
bin="$tmp/venv/bin/release-gate"
test -x "$bin"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
"$bin" --version | grep -F "$version" >/dev/null

# The shipped example, copied so the repository stays untouched.
mkdir "$tmp/example"
cp gates.toml "$tmp/example/"
cp -R examples "$tmp/example/"
if [ -d templates ]; then cp -R templates "$tmp/example/"; fi
set +e
(cd "$tmp/example" && PATH="$tmp/venv/bin:$PATH" release-gate check --quiet --out out)
code=$?
set -e
if [ "$code" -ne 0 ] && [ "$code" -ne 1 ]; then
  echo "test_wheel: release-gate check exited $code (expected 0 or 1)" >&2
  exit 1
fi
test -s "$tmp/example/out/report.json"
echo "test_wheel: the installed wheel ran the example (exit $code), report.json written"
