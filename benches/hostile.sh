#!/usr/bin/env bash
# Peak memory on hostile captures, in every output format, with default and small bounds.
#
#   benches/hostile.sh [--keep-dir DIR] [--keep] [--flood FILE] [--formats "json table"]
#
# Builds ftpflow and ftpflow-synth (release) and generates six captures, each aimed at one
# bound: a SYN flood of a million flows to port 21 (--flood FILE, or generated into the
# work directory and reused), 200,000 PASV announcements in one session,
# 10 sessions of 100,000 NOOPs, a 50 MB line without CRLF, 1 GB behind a hole that is never
# filled, and 100,000 sessions left open. Then runs `ftpflow analyze --format F -o FILE`
# for json, jsonl, timeline and table with the default bounds, with --max-connections
# 1000, and with small bounds all round (--max-connections 1000 --reassembly-limit 65536
# --reassembly-total 1048576 --max-stored-bytes 4194304), measures peak RSS with GNU time,
# and prints a Markdown table with each figure checked against the bound the README
# states: at most 1 GiB with the defaults, at most 64 MiB with --max-connections 1000.
# Exits 1 when a figure is over its bound. The 1 GB capture is deleted at the end unless
# --keep. See benches/README.md.
set -euo pipefail

WORK=""
KEEP=0
FLOOD=""
FORMATS="json jsonl timeline table html"
while [ $# -gt 0 ]; do
    case "$1" in
        --keep-dir) WORK="$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --flood) FLOOD="$2"; shift 2 ;;
        --formats) FORMATS="$2"; shift 2 ;;
        -h | --help) sed -n 2,17p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "hostile.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

cd "$(dirname "$0")/.."
WORK=${WORK:-target/bench}
mkdir -p "$WORK"
if [ ! -x /usr/bin/time ]; then
    if [ "$(id -u)" -eq 0 ]; then apt-get install -y time >/dev/null; else sudo apt-get install -y time >/dev/null; fi
fi
cargo build --release -q -p ftpflow -p ftpflow-synth
FTPFLOW=target/release/ftpflow
SYNTH=target/release/ftpflow-synth

if [ -z "$FLOOD" ]; then
    FLOOD="$WORK/synflood-1000000.pcap"
    [ -s "$FLOOD" ] || "$SYNTH" synflood --out "$FLOOD" --flows 1000000 --seed 1 >/dev/null
fi
PASV="$WORK/hostile-pasv-200000.pcap"
NOOP="$WORK/hostile-noop-10x100000.pcap"
LINE="$WORK/hostile-line-50M.pcap"
HOLE="$WORK/hostile-hole-1G.pcap"
OPEN="$WORK/hostile-open-100000.pcap"
[ -s "$PASV" ] || "$SYNTH" hostile pasv --count 200000 --out "$PASV" >/dev/null
[ -s "$NOOP" ] || "$SYNTH" hostile noop --count 100000 --sessions 10 --out "$NOOP" >/dev/null
[ -s "$LINE" ] || "$SYNTH" hostile long-line --bytes 50M --out "$LINE" >/dev/null
[ -s "$HOLE" ] || "$SYNTH" hostile hole --bytes 1G --out "$HOLE" >/dev/null
[ -s "$OPEN" ] || "$SYNTH" hostile open --sessions 100000 --out "$OPEN" >/dev/null

TIMEF=$(mktemp)
OUTF=$(mktemp)
cleanup() {
    rm -f "$TIMEF" "$OUTF"
    if [ "$KEEP" -eq 0 ]; then rm -f "$HOLE"; fi
}
trap cleanup EXIT

MC1000="--max-connections 1000"
SMALL="--max-connections 1000 --reassembly-limit 65536 --reassembly-total 1048576 --max-stored-bytes 4194304"
LIMIT_SMALL_KIB=$((64 * 1024))
LIMIT_DEFAULT_KIB=$((1024 * 1024))
over=0

echo "## Hostile captures: peak memory in every format"
echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -r); ftpflow $($FTPFLOW --version | awk '{print $2}'); output to a file; peak RSS from GNU time (one run each)."
echo "Bounds: default (stated bound 1 GiB); mc1000: \`$MC1000\` (64 MiB); small: \`$SMALL\` (64 MiB)."
echo
echo "| capture | bounds | format | wall time | peak RSS | within the bound |"
echo "|---|---|---|---:|---:|---|"
for cap in "$FLOOD" "$PASV" "$NOOP" "$LINE" "$HOLE" "$OPEN"; do
    name="$(basename "$cap") ($(($(stat -L -c %s "$cap") / 1000000)) MB)"
    cat "$cap" >/dev/null
    for bounds in default mc1000 small; do
        case $bounds in
            default) args=""; limit=$LIMIT_DEFAULT_KIB ;;
            mc1000) args=$MC1000; limit=$LIMIT_SMALL_KIB ;;
            *) args=$SMALL; limit=$LIMIT_SMALL_KIB ;;
        esac
        for fmt in $FORMATS; do
            echo "hostile.sh: $(basename "$cap") $bounds $fmt" >&2
            t0=$EPOCHREALTIME
            # shellcheck disable=SC2086
            /usr/bin/time -f '%M' -o "$TIMEF" "$FTPFLOW" analyze --format "$fmt" $args -o "$OUTF" "$cap" 2>/dev/null || true
            t1=$EPOCHREALTIME
            kib=$(tail -1 "$TIMEF")
            verdict=yes
            if [ "$kib" -gt "$limit" ]; then verdict="**NO**"; over=1; fi
            printf '| %s | %s | %s | %.2f s | %.1f MiB | %s |\n' "$name" "$bounds" "$fmt" \
                "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}')" "$(awk -v m="$kib" 'BEGIN{print m / 1024}')" "$verdict"
        done
    done
done
exit "$over"
