#!/usr/bin/env bash
# Every output format on the same captures: wall time and peak RSS, with default bounds.
#
#   benches/formats.sh [--reps N] [--sessions N] [--flows N] [--keep-dir DIR]
#
# Builds ftpflow and ftpflow-synth (release), generates two deterministic captures (reused
# when present): the many-session capture (`ftpflow-synth bench --bytes 400M --sessions
# 20000`: sessions one after another) and a SYN flood (`ftpflow-synth synflood --flows
# 1000000`: SYNs to port 21 nobody answers). Then runs `ftpflow analyze --format F` for
# json, jsonl, timeline, table and html on each, interleaved in rounds, output to /dev/null, and
# prints a Markdown table: median wall time, its ratio to json's in the same run, and
# median peak RSS (GNU time's %M). See benches/README.md.
set -euo pipefail

REPS=3
SESSIONS=20000
FLOWS=1000000
WORK=""
while [ $# -gt 0 ]; do
    case "$1" in
        --reps) REPS="$2"; shift 2 ;;
        --sessions) SESSIONS="$2"; shift 2 ;;
        --flows) FLOWS="$2"; shift 2 ;;
        --keep-dir) WORK="$2"; shift 2 ;;
        -h | --help) sed -n 2,12p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "formats.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
for n in "$REPS" "$SESSIONS" "$FLOWS"; do
    case "$n" in '' | *[!0-9]*) echo "formats.sh: not a number: $n" >&2; exit 2 ;; esac
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

MANY="$WORK/many-$SESSIONS.pcap"
FLOOD="$WORK/synflood-$FLOWS.pcap"
[ -s "$MANY" ] || "$SYNTH" bench --out "$MANY" --bytes $((SESSIONS * 20000)) --sessions "$SESSIONS" --seed 1 >&2
[ -s "$FLOOD" ] || "$SYNTH" synflood --out "$FLOOD" --flows "$FLOWS" --seed 1 >&2

RESULTS=$(mktemp)
TIMEF=$(mktemp)
trap 'rm -f "$RESULTS" "$TIMEF"' EXIT
FORMATS="json jsonl timeline table html"

for cap in "$MANY" "$FLOOD"; do
    cat "$cap" >/dev/null
    for ((rep = 1; rep <= REPS; rep++)); do
        for fmt in $FORMATS; do
            echo "formats.sh: $(basename "$cap") $fmt round $rep/$REPS" >&2
            t0=$EPOCHREALTIME
            /usr/bin/time -f '%M' -o "$TIMEF" "$FTPFLOW" analyze --format "$fmt" "$cap" >/dev/null 2>/dev/null
            t1=$EPOCHREALTIME
            echo "$(basename "$cap") $fmt $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}') $(tail -1 "$TIMEF")" >>"$RESULTS"
        done
    done
done

median() { # CAPTURE FORMAT COLUMN
    awk -v c="$1" -v f="$2" -v k="$3" '$1 == c && $2 == f { print $k }' "$RESULTS" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "## Output formats: time and peak memory"
echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -r); $REPS rounds, medians; ftpflow $($FTPFLOW --version | awk '{print $2}'), default bounds."
echo
echo "| capture | format | wall time | × json | peak RSS |"
echo "|---|---|---:|---:|---:|"
for cap in "$MANY" "$FLOOD"; do
    c=$(basename "$cap")
    base=$(median "$c" json 3)
    for fmt in $FORMATS; do
        t=$(median "$c" "$fmt" 3)
        m=$(median "$c" "$fmt" 4)
        printf '| %s (%s MB) | %s | %.2f s | %.2f | %.1f MiB |\n' "$c" "$(($(stat -L -c %s "$cap") / 1000000))" "$fmt" "$t" \
            "$(awk -v a="$t" -v b="$base" 'BEGIN{print a / b}')" "$(awk -v m="$m" 'BEGIN{print m / 1024}')"
    done
done
