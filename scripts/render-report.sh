#!/usr/bin/env bash
# Renders a run's report.html to PNG (and PDF, as printed) with a headless Chromium,
# so a person can look at the page without a desktop. For people, not for CI.
#
#   apt-get install -y chromium            # Debian's package, /usr/bin/chromium
#   cargo run --release -- run scenarios/scale-up.toml
#   scripts/render-report.sh output/scale-up/report.html
#
# Writes report.png (the screen, 1200 px wide) and report.pdf (A4, as printed) beside
# the page. Name resolution is disabled, so the page must render from itself alone.
# Environment: CHROMIUM (browser path), WIDTH and HEIGHT (window size in pixels).
set -euo pipefail

html=${1:-output/scale-up/report.html}
browser=${CHROMIUM:-/usr/bin/chromium}
width=${WIDTH:-1200}
height=${HEIGHT:-8000}

if [[ ! -f $html ]]; then
    echo "no $html: run a scenario first, e.g. cargo run --release -- run scenarios/scale-up.toml" >&2
    exit 1
fi
if ! command -v "$browser" >/dev/null; then
    echo "no browser at $browser: apt-get install -y chromium (or set CHROMIUM)" >&2
    exit 1
fi

page="file://$(realpath "$html")"
base="${html%.html}"
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --mute-audio
    --host-resolver-rules="MAP * ~NOTFOUND" --user-data-dir="$(mktemp -d)")

"$browser" "${flags[@]}" --window-size="$width,$height" --screenshot="$base.png" "$page" 2>/dev/null
"$browser" "${flags[@]}" --no-pdf-header-footer --print-to-pdf="$base.pdf" "$page" 2>/dev/null
echo "wrote $base.png and $base.pdf"
