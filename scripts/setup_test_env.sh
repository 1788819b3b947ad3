#!/usr/bin/env bash
# Installs ONNX Runtime (the Python wheel, which ships libonnxruntime) into a
# venv for the ONNX tests, and prints the ORT_DYLIB_PATH to export.
#
#   eval "$(scripts/setup_test_env.sh)"      # sets ORT_DYLIB_PATH in this shell
#   RG_TEST_VENV=/tmp/venv scripts/setup_test_env.sh
#
# RG_TEST_VENV: where the venv goes (default .ci/.venv). ONNXRUNTIME_VERSION:
# the wheel version (default: the newest; release-gate needs >= 1.17).
# With RG_FIXTURE_DEPS=1 also installs what scripts/make_onnx_fixtures.py needs.
# In GitHub Actions the variable is also appended to $GITHUB_ENV.
set -euo pipefail
venv="${RG_TEST_VENV:-.ci/.venv}"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv" >&2
fi
spec="onnxruntime${ONNXRUNTIME_VERSION:+==$ONNXRUNTIME_VERSION}"
"$venv/bin/python" -m pip install --quiet --upgrade pip >&2
"$venv/bin/python" -m pip install --quiet "$spec" >&2
if [ "${RG_FIXTURE_DEPS:-0}" = 1 ]; then
    "$venv/bin/python" -m pip install --quiet scikit-learn skl2onnx onnxmltools lightgbm pandas >&2
fi
dir="$("$venv/bin/python" -c 'import onnxruntime, os; print(os.path.dirname(onnxruntime.__file__))')"
lib=""
for f in "$dir"/capi/libonnxruntime.so* "$dir"/capi/libonnxruntime*.dylib "$dir"/capi/onnxruntime.dll; do
    case "$f" in *providers*) continue ;; esac
    if [ -f "$f" ]; then lib="$f"; fi
done
if [ -z "$lib" ]; then
    echo "error: no ONNX Runtime library in $dir/capi" >&2
    exit 1
fi
lib="$(cd "$(dirname "$lib")" && pwd)/$(basename "$lib")"
if [ -n "${GITHUB_ENV:-}" ]; then
    echo "ORT_DYLIB_PATH=$lib" >> "$GITHUB_ENV"
fi
echo "export ORT_DYLIB_PATH=$lib"
