#!/usr/bin/env bash
# Renders a run's report.html in headless Chromium, takes a screenshot and
# checks that the page really rendered: the PNG has the window's size, is not
# blank, shows the verdict banner and the charts' blue.
#
# usage: scripts/html_screenshot.sh [REPORT_HTML] [OUT_PNG]
#   REPORT_HTML  default release-gate-out/report.html
#   OUT_PNG      default: next to the report, report.png
#
# Needs a Chromium: Debian's `chromium` package is installed with apt-get when
# no chromium/chrome is on PATH. The PNG check uses only Python's stdlib.
set -euo pipefail

html="${1:-release-gate-out/report.html}"
png="${2:-$(dirname "$html")/report.png}"
width=1200
height=2000

if [ ! -s "$html" ]; then
  echo "html_screenshot: $html: no such report (run release-gate check first)" >&2
  exit 2
fi

find_browser() {
  local b
  for b in chromium google-chrome google-chrome-stable chromium-browser; do
    if command -v "$b" >/dev/null 2>&1; then
      command -v "$b"
      return 0
    fi
  done
  return 1
}

if ! browser="$(find_browser)"; then
  echo "html_screenshot: installing Debian's chromium" >&2
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
  browser="$(find_browser)"
fi

abs_html="$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
mkdir -p "$(dirname "$png")"
abs_png="$(cd "$(dirname "$png")" && pwd)/$(basename "$png")"
rm -f "$abs_png"
profile="$(mktemp -d)"
log="$(mktemp)"
trap 'rm -rf "$profile" "$log"' EXIT

if ! timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic \
  --no-first-run --disable-background-networking --disable-component-update \
  --disable-sync --hide-scrollbars --user-data-dir="$profile" \
  --screenshot="$abs_png" --window-size="$width,$height" \
  "file://$abs_html" >"$log" 2>&1; then
  cat "$log" >&2
  echo "html_screenshot: $browser failed on $abs_html" >&2
  exit 1
fi
if [ ! -s "$abs_png" ]; then
  cat "$log" >&2
  echo "html_screenshot: no screenshot written to $abs_png" >&2
  exit 1
fi

python3 - "$abs_png" "$width" "$height" <<'PY'
"""Decodes the PNG with the stdlib (zlib + the five PNG row filters) and
checks size, that it is not blank, and that the banner and charts drew."""
import struct
import sys
import zlib

path, want_w, want_h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit(f"{path}: not a PNG")
pos, idat, w = 8, b"", None
while pos < len(data):
    (length,) = struct.unpack(">I", data[pos:pos + 4])
    kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
if (w, h) != (want_w, want_h):
    sys.exit(f"{path}: {w}x{h}, expected {want_w}x{want_h}")
channels = {2: 3, 6: 4}.get(ctype)
if depth != 8 or channels is None:
    sys.exit(f"{path}: unsupported PNG (depth {depth}, colour type {ctype})")
raw, stride = zlib.decompress(idat), w * channels
prev, counts = bytearray(stride), {}
for y in range(h):
    start = y * (stride + 1)
    f, row = raw[start], bytearray(raw[start + 1:start + 1 + stride])
    if f == 1:
        for i in range(channels, stride):
            row[i] = (row[i] + row[i - channels]) & 255
    elif f == 2:
        row = bytearray((a + b) & 255 for a, b in zip(row, prev))
    elif f == 3:
        for i in range(stride):
            left = row[i - channels] if i >= channels else 0
            row[i] = (row[i] + ((left + prev[i]) >> 1)) & 255
    elif f == 4:
        for i in range(stride):
            a = row[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            row[i] = (row[i] + pred) & 255
    for i in range(0, stride, channels):
        px = bytes(row[i:i + 3])
        counts[px] = counts.get(px, 0) + 1
    prev = row

total = w * h
background = max(counts.values())
share = lambda rgb: counts.get(bytes.fromhex(rgb), 0)
banner = share("15803d") + share("b91c1c")  # GO green / NO-GO red
blue = share("2563eb")  # ROC curve, calibration, bars
problems = []
if len(counts) < 64:
    problems.append(f"only {len(counts)} distinct colours: blank page?")
if total - background < total // 5:
    problems.append(f"{total - background} non-background pixels: mostly blank")
if banner < 20_000:
    problems.append(f"verdict banner not drawn ({banner} px of its colour)")
if blue < 1_000:
    problems.append(f"charts not drawn ({blue} px of the chart blue)")
print(f"{path}: {w}x{h}, {len(counts)} colours, banner {banner} px, chart blue {blue} px")
if problems:
    sys.exit("html_screenshot: " + "; ".join(problems))
PY
echo "html_screenshot: $html rendered OK -> $png"
