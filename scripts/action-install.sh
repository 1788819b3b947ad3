#!/usr/bin/env bash
# The action's fast install path: puts the prebuilt `release-gate` of the
# action's own version (Cargo.toml next to action.yml) on PATH, from
#   1. the PyPI wheel (`pip install --only-binary :all: release-gate-ml==VERSION`
#      into a private directory: the caller's Python environment is untouched),
#   2. else the GitHub release archive of the action's repository, checked
#      against its .sha256 file.
# Either binary must answer `release-gate --version` with exactly VERSION
# (this guards against another PyPI project of the same name). Writes
# `installed=true|false` to $GITHUB_OUTPUT; exits 1 only when RG_INSTALL is
# "prebuilt" and nothing was installed (the action then falls back to cargo).
set -euo pipefail
action_path="${GITHUB_ACTION_PATH:?}"
install_mode="${RG_INSTALL:-auto}"
repo="${RG_ACTION_REPO:-}"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$action_path/Cargo.toml" | head -n 1)"
dest="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/release-gate-$version"
exe="release-gate"
if [ "${RUNNER_OS:-}" = "Windows" ]; then exe="release-gate.exe"; fi

finish() {
  echo "installed=$1" >> "${GITHUB_OUTPUT:-/dev/null}"
  if [ "$1" = "false" ] && [ "$install_mode" = "prebuilt" ]; then
    echo "::error title=release-gate::no prebuilt release-gate $version for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}"
    exit 1
  fi
  exit 0
}

# Accepts a directory holding the binary: it must be our version.
accept() {
  local dir="$1"
  [ -x "$dir/$exe" ] || [ -f "$dir/$exe" ] || return 1
  local said
  said="$("$dir/$exe" --version 2>/dev/null || true)"
  if [ "$said" != "release-gate $version" ]; then
    echo "release-gate: $dir/$exe says '${said:-nothing}', not 'release-gate $version': not used" >&2
    return 1
  fi
  echo "$dir" >> "${GITHUB_PATH:-/dev/null}"
  echo "release-gate: using the prebuilt $said ($2)"
  return 0
}

if [ -z "$version" ]; then
  echo "release-gate: no version in $action_path/Cargo.toml" >&2
  finish false
fi

# 1. The wheel from PyPI.
python=""
for candidate in python3 python; do
  if command -v "$candidate" >/dev/null 2>&1; then python="$candidate"; break; fi
done
if [ -n "$python" ]; then
  rm -rf "$dest/pypi"
  if "$python" -m pip install --quiet --disable-pip-version-check --no-deps \
    --only-binary=:all: --target "$dest/pypi" "release-gate-ml==$version" >&2; then
    for dir in "$dest/pypi/bin" "$dest/pypi/Scripts"; do
      if accept "$dir" "PyPI wheel"; then finish true; fi
    done
  fi
fi

# 2. The archive attached to the GitHub release of the action's repository.
case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  Linux/X64) target="x86_64-unknown-linux-musl" ;;
  Linux/ARM64) target="aarch64-unknown-linux-musl" ;;
  macOS/X64) target="x86_64-apple-darwin" ;;
  macOS/ARM64) target="aarch64-apple-darwin" ;;
  Windows/X64) target="x86_64-pc-windows-msvc" ;;
  *) target="" ;;
esac
if [ -n "$repo" ] && [ -n "$target" ] && command -v curl >/dev/null 2>&1; then
  ext="tar.gz"
  if [ "${RUNNER_OS:-}" = "Windows" ]; then ext="zip"; fi
  name="release-gate-v$version-$target"
  url="${GITHUB_SERVER_URL:-https://github.com}/$repo/releases/download/v$version/$name.$ext"
  rm -rf "$dest/release"
  mkdir -p "$dest/release"
  if curl -fsSL --retry 3 -o "$dest/release/$name.$ext" "$url" \
    && curl -fsSL --retry 3 -o "$dest/release/$name.$ext.sha256" "$url.sha256"; then
    want="$(cut -d ' ' -f 1 "$dest/release/$name.$ext.sha256")"
    got="$({ sha256sum "$dest/release/$name.$ext" 2>/dev/null || shasum -a 256 "$dest/release/$name.$ext"; } | cut -d ' ' -f 1)"
    if [ -n "$want" ] && [ "$want" = "$got" ]; then
      if [ "$ext" = "zip" ]; then
        unzip -q "$dest/release/$name.$ext" -d "$dest/release"
      else
        tar -xzf "$dest/release/$name.$ext" -C "$dest/release"
      fi
      if accept "$dest/release/$name" "release archive"; then finish true; fi
    else
      echo "release-gate: checksum mismatch for $url: not used" >&2
    fi
  fi
fi

echo "release-gate: no prebuilt release-gate $version for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}; building from source" >&2
finish false
