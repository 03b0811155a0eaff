#!/usr/bin/env bash
# The HTML report in a real browser: how long a reader waits on small and large captures.
#
#   benches/html.sh [--reps N] [--keep-dir DIR]
#
# Builds ftpflow and ftpflow-synth (release), makes the report of seed 001 (one session,
# the reference) and of generated captures of 1,000 and 20,000 sessions
# (`ftpflow-synth bench --sessions N`), then opens each REPS times in headless Chromium
# (benches/html_browser.mjs, playwright-core from tests/browser; scripts/setup.sh installs
# both): page load, showing the last session, filtering the list, clicking an arrow, the
# DOM's elements and the JS heap. Prints a Markdown table of medians, load time also as a
# ratio to the one-session page's in the same run. Results: docs/performance.md.
set -euo pipefail
REPS=3
WORK=""
while [ $# -gt 0 ]; do
    case "$1" in
        --reps) REPS="$2"; shift 2 ;;
        --keep-dir) WORK="$2"; shift 2 ;;
        -h | --help) sed -n 2,12p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "html.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
case "$REPS" in '' | *[!0-9]*) echo "html.sh: not a number: $REPS" >&2; exit 2 ;; esac
cd "$(dirname "$0")/.."
WORK=${WORK:-target/bench}
mkdir -p "$WORK"
[ -d tests/browser/node_modules/playwright-core ] || { echo "html.sh: run scripts/setup.sh first (playwright-core, chromium)" >&2; exit 2; }
cargo build --release -q -p ftpflow -p ftpflow-synth
FTPFLOW=target/release/ftpflow
SYNTH=target/release/ftpflow-synth
reports=()
"$FTPFLOW" analyze -q -F html -o "$WORK/html-1.html" samples/seed001-active-ls-pwd-quit.pcap
reports+=("$WORK/html-1.html")
for n in 1000 20000; do
    cap="$WORK/many-$n.pcap"
    [ -s "$cap" ] || "$SYNTH" bench --out "$cap" --bytes $((n * 20000)) --sessions "$n" --seed 1 >&2
    "$FTPFLOW" analyze -q -F html -o "$WORK/html-$n.html" "$cap"
    reports+=("$WORK/html-$n.html")
done
RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT
for ((rep = 1; rep <= REPS; rep++)); do
    echo "html.sh: round $rep/$REPS" >&2
    node benches/html_browser.mjs "${reports[@]}" >>"$RESULTS"
done
python3 - "$RESULTS" "$REPS" <<'PY'
import json, statistics, sys, os
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {}
for r in rows:
    by.setdefault(r["file"], []).append(r)
med = lambda rs, k: statistics.median(r[k] for r in rs)
ref = med(by["html-1.html"], "load_ms") or 1
print("## The HTML report in Chromium")
print()
print(f"Machine: {os.cpu_count()} cores; headless Chromium; {sys.argv[2]} rounds, medians.")
print()
print("| report | sessions | size | layout | load | × 1-session page | show last session | filter list | click arrow | DOM elements | JS heap | errors |")
print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for f, rs in by.items():
    r = rs[0]
    errors = sum(len(x["errors"]) for x in rs)
    print(f"| {f} | {r['sessions']:,} | {r['bytes']/1e6:.1f} MB | {r['mode']} | {med(rs,'load_ms'):.0f} ms | "
          f"{med(rs,'load_ms')/ref:.1f} | {med(rs,'show_last_ms'):.0f} ms | {med(rs,'filter_ms'):.0f} ms | "
          f"{med(rs,'click_ms'):.0f} ms | {med(rs,'elements'):,.0f} | {med(rs,'heap_mb')} MB | {errors} |")
PY
