#!/usr/bin/env bash
# ftpflow's end-to-end benchmark: see benches/README.md.
#
#   benches/run.sh [--size 1G] [--reps 5] [--keep-dir DIR] [--full] [--real] ...
#
# Builds ftpflow and ftpflow-synth in release mode, generates deterministic captures into a
# work directory (reused when they are already there), warms the page cache, then times
# `cat`, `tcpdump -nr`, `tshark -Y ftp` (when installed) and `ftpflow analyze --format
# json` on the main capture, interleaved, --reps times each, and prints a Markdown report:
# the machine, median wall time and peak RSS per tool, ftpflow's ratios, ftpflow's peak
# RSS on a 100 MB (and with --full a 4 GB) capture, and ftpflow on a capture with 100,000
# sessions open at once (wall time, peak RSS, memory per open flow), and on a capture of
# 20,000 sessions one after another (memory per finished session). ftpflow's output is
# also checked against the generator's summary (sessions, transfers, bytes). With --real
# (as root) the same tools are also timed on a capture recorded from vsftpd and lftp.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: benches/run.sh [OPTIONS]

  --size SIZE          main capture size (default 1G; K/M/G are powers of 1000, KiB/MiB/GiB of 1024)
  --reps N             repetitions of each timed command (default 5)
  --sessions N         sessions in the size-scaled captures (default 400)
  --seed S             generator seed (default 1)
  --keep-dir DIR       work directory for captures and logs (default target/bench); captures
                       there are reused when size and seed match
  --full               also measure ftpflow's peak RSS on a 4 GB capture (needs ~4.1 GB of disk;
                       the capture is deleted afterwards unless --keep-full)
  --keep-full          keep the 4 GB capture for the next run
  --concurrent N       sessions open at once in the flow-scaling capture (default 100000)
  --no-concurrent      skip the flow-scaling capture
  --many N             sessions one after another in the session-scaling capture (default 20000)
  --no-many            skip the session-scaling capture
  --real               also record (as root, between network namespaces; reused on the next
                       run) a capture of vsftpd and lftp moving two files of --real-mib MiB,
                       active and passive, and time the same tools on it
  --real-mib N         size of each file of the real capture (default 300)
  --no-tshark          do not time tshark even when it is installed
  --no-install         do not try to install missing tools with apt-get
  --timeout SECONDS    limit for any single timed command (default 1800)
  -h, --help           this help
EOF
}

SIZE=1G
REPS=5
SESSIONS=400
SEED=1
WORK=""
FULL=0
KEEP_FULL=0
CONC=100000
DO_CONC=1
MANY=20000
DO_MANY=1
DO_TSHARK=1
REAL=0
REAL_MIB=300
INSTALL=1
TIMEOUT=1800
while [ $# -gt 0 ]; do
    case "$1" in
        --size) SIZE="$2"; shift 2 ;;
        --reps) REPS="$2"; shift 2 ;;
        --sessions) SESSIONS="$2"; shift 2 ;;
        --seed) SEED="$2"; shift 2 ;;
        --keep-dir) WORK="$2"; shift 2 ;;
        --full) FULL=1; shift ;;
        --keep-full) KEEP_FULL=1; shift ;;
        --concurrent) CONC="$2"; shift 2 ;;
        --no-concurrent) DO_CONC=0; shift ;;
        --many) MANY="$2"; shift 2 ;;
        --no-many) DO_MANY=0; shift ;;
        --real) REAL=1; shift ;;
        --real-mib) REAL_MIB="$2"; shift 2 ;;
        --no-tshark) DO_TSHARK=0; shift ;;
        --no-install) INSTALL=0; shift ;;
        --timeout) TIMEOUT="$2"; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done
for n in "$REPS" "$SESSIONS" "$SEED" "$CONC" "$MANY" "$TIMEOUT" "$REAL_MIB"; do
    case "$n" in
        '' | *[!0-9]*) echo "run.sh: not a number: '$n'" >&2; exit 2 ;;
    esac
done
[ "$REPS" -ge 1 ] && [ "$REPS" -le 100 ] || { echo "run.sh: --reps must be 1..100" >&2; exit 2; }
[ "$REAL_MIB" -ge 1 ] && [ "$REAL_MIB" -le 4096 ] || { echo "run.sh: --real-mib must be 1..4096" >&2; exit 2; }
if [ "$REAL" -eq 1 ] && [ "$(id -u)" -ne 0 ]; then
    echo "run.sh: --real records between network namespaces and needs root" >&2
    exit 2
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${WORK:-$ROOT/target/bench}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
LOG="$WORK/run.log"
: >"$LOG"
note() { echo "run.sh: $*" >&2; }

# ---------------------------------------------------------------- tools
install_pkgs() {
    [ "$INSTALL" -eq 1 ] || return 1
    command -v apt-get >/dev/null 2>&1 || return 1
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || return 1
        sudo="sudo"
    fi
    note "installing $*"
    echo "wireshark-common wireshark-common/install-setuid boolean false" |
        $sudo debconf-set-selections 2>/dev/null || true
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >>"$LOG" 2>&1 || true
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >>"$LOG" 2>&1
}
gnu_time_ok() { [ -x /usr/bin/time ] && /usr/bin/time -f '%M' true 2>/dev/null >/dev/null; }
gnu_time_ok || install_pkgs time || true
gnu_time_ok || { echo "run.sh: GNU time (/usr/bin/time, Debian package 'time') is needed for peak RSS" >&2; exit 2; }
command -v tcpdump >/dev/null 2>&1 || install_pkgs tcpdump || true
command -v python3 >/dev/null 2>&1 || install_pkgs python3 || true
command -v python3 >/dev/null 2>&1 || { echo "run.sh: python3 is needed to check ftpflow's output" >&2; exit 2; }
HAVE_TCPDUMP=0
command -v tcpdump >/dev/null 2>&1 && HAVE_TCPDUMP=1
HAVE_TSHARK=0
if [ "$DO_TSHARK" -eq 1 ]; then
    command -v tshark >/dev/null 2>&1 || install_pkgs tshark || note "tshark is not installed: skipped"
    command -v tshark >/dev/null 2>&1 && HAVE_TSHARK=1
fi

# ---------------------------------------------------------------- build
note "building ftpflow and ftpflow-synth (release)"
(cd "$ROOT" && cargo build --release --quiet -p ftpflow -p ftpflow-synth) >>"$LOG" 2>&1 || {
    echo "run.sh: cargo build failed; see $LOG" >&2
    tail -20 "$LOG" >&2
    exit 2
}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
FTPFLOW="$TARGET_DIR/release/ftpflow"
SYNTH="$TARGET_DIR/release/ftpflow-synth"
[ -x "$FTPFLOW" ] && [ -x "$SYNTH" ] || { echo "run.sh: binaries not found in $TARGET_DIR/release" >&2; exit 2; }
SYNTH_SUM=$(sha256sum "$SYNTH" | cut -c1-16)

# ---------------------------------------------------------------- helpers
# Bytes of a size argument, as ftpflow-synth reads it (digits, optional K/M/G/KiB/MiB/GiB).
size_bytes() {
    python3 - "$1" <<'EOF'
import re, sys
m = re.fullmatch(r"\s*([0-9.]+)\s*([A-Za-z]*)\s*", sys.argv[1])
units = {"": 1, "b": 1, "k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9,
         "ki": 1024, "kib": 1024, "mi": 1024**2, "mib": 1024**2, "gi": 1024**3, "gib": 1024**3}
if not m or m.group(2).lower() not in units:
    sys.exit(f"run.sh: not a size: {sys.argv[1]!r}")
print(round(float(m.group(1)) * units[m.group(2).lower()]))
EOF
}
free_bytes() { df --output=avail -B1 "$WORK" | tail -1 | tr -d ' '; }
file_size() { stat -c %s "$1"; }
json_field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d[sys.argv[2]])' "$1" "$2"; }

# A capture is reused when its recipe (generator checksum, command) matches and its size
# is the one the generator reported.
ensure_capture() { # FILE RECIPE ARGS...
    local file=$1 recipe=$2
    shift 2
    local stamp="$file.recipe"
    if [ -f "$file" ] && [ -f "$file.summary.json" ] && [ -f "$stamp" ] &&
        [ "$(cat "$stamp")" = "$recipe" ] &&
        [ "$(file_size "$file")" = "$(json_field "$file.summary.json" file_bytes)" ]; then
        note "reusing $file"
        return 0
    fi
    rm -f "$file" "$file.summary.json" "$file.truth.json" "$stamp"
    note "generating $file"
    local t0=$EPOCHREALTIME
    "$SYNTH" "$@" >>"$LOG" 2>&1 || { echo "run.sh: ftpflow-synth $* failed; see $LOG" >&2; exit 2; }
    note "  done in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.1f s", b-a}')"
    echo "$recipe" >"$stamp"
}

# Runs a command once: wall seconds (shell clock, µs resolution) and peak RSS in KiB
# (GNU time's %M) appended to RESULTS as "NAME SECONDS KIB".
RESULTS="$WORK/samples.txt"
TIMEF="$WORK/time.out"
measure() { # NAME CMD...
    local name=$1
    shift
    local t0 t1 rc=0
    # Let the previous command's exit settle (tshark frees ~660 MiB; the kernel reclaims it
    # on the other core, where ftpflow's read-ahead thread runs).
    sleep 0.3
    t0=$EPOCHREALTIME
    timeout "$TIMEOUT" /usr/bin/time -f '%M' -o "$TIMEF" "$@" >/dev/null 2>>"$LOG" || rc=$?
    t1=$EPOCHREALTIME
    # ftpflow exits 1 for a damaged input and still reports; anything else is a failure.
    if [ "$rc" -ne 0 ] && ! { [ "$rc" -eq 1 ] && [ "${name#real-}" != cat ]; }; then
        note "$name exited with $rc (see $LOG): $*"
        echo "FAILED $name rc=$rc: $*" >>"$LOG"
        echo "$name NaN NaN" >>"$RESULTS"
        return 0
    fi
    echo "$name $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.4f", b-a}') $(tail -1 "$TIMEF")" >>"$RESULTS"
}
# Median of column COL (2 = seconds, 3 = KiB) of NAME's samples.
median() { # NAME COL
    awk -v n="$1" -v c="$2" '$1 == n && $c != "NaN" { print $c }' "$RESULTS" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) print "NaN"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# Median, min and max over rounds of NAME_A's time / NAME_B's time in the same round
# (the k-th sample of each), as "median min max".
round_ratios() { # NAME_A NAME_B
    awk -v a="$1" -v b="$2" '$1 == a { x[++na] = $2 } $1 == b { y[++nb] = $2 }
        END { n = 0; for (i = 1; i <= na && i <= nb; i++) if (x[i] != "NaN" && y[i] != "NaN" && y[i] > 0) r[++n] = x[i] / y[i];
              if (n == 0) { print "NaN NaN NaN"; exit }
              for (i = 2; i <= n; i++) { v = r[i]; for (j = i - 1; j >= 1 && r[j] > v; j--) r[j + 1] = r[j]; r[j + 1] = v }
              m = (n % 2) ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2;
              printf "%.2f %.2f %.2f\n", m, r[1], r[n] }' "$RESULTS"
}
minimum() { # NAME COL
    awk -v n="$1" -v c="$2" '$1 == n && $c != "NaN" { if (!k++ || $c < m) m = $c } END { print (k ? m : "NaN") }' "$RESULTS"
}
# Percent of all CPU time that other processes used, and that the hypervisor took (steal),
# over one second in which this script sleeps: "BUSY STEAL". The load average is no
# use here: it still counts this script's own build and generators a minute later.
idle_check() {
    local a b
    a=$(head -1 /proc/stat)
    sleep 1
    b=$(head -1 /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN { split(a, x); split(b, y); t = 0
        for (i = 2; i <= 9; i++) t += y[i] - x[i]
        idle = (y[5] - x[5]) + (y[6] - x[6]); steal = y[9] - x[9]
        if (t <= 0) print "0 0"; else printf "%.0f %.0f\n", 100 * (t - idle - steal) / t, 100 * steal / t }'
}
mib() { awk -v k="$1" 'BEGIN { if (k == "NaN") print "n/a"; else printf "%.1f", k / 1024 }'; }
secs() { awk -v s="$1" 'BEGIN { if (s == "NaN") print "n/a"; else printf "%.3f", s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NaN" || b == "NaN" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }
# "ftpflow takes 1.25x the time of cat", or with the inverse when ftpflow is faster.
compare() { # FTPFLOW_SECONDS TOOL_SECONDS TOOL
    awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN {
        if (a == "NaN" || b == "NaN" || a == 0 || b == 0) print "n/a";
        else if (a <= b) printf "%.2fx the time of %s (ftpflow is %.1fx faster)", a / b, t, b / a;
        else printf "ftpflow takes %.2fx the time of %s", a / b, t }'
}
rate() { awk -v bytes="$1" -v s="$2" 'BEGIN { if (s == "NaN" || s == 0) print "n/a"; else printf "%.0f", bytes / s / 1e6 }'; }
# ftpflow's output checked against the generator's summary; sets CHECK_* variables.
check_output() { # CAPTURE
    local out="$WORK/check.txt"
    if ! timeout "$TIMEOUT" "$FTPFLOW" analyze --format json "$1" 2>>"$LOG" |
        python3 "$ROOT/benches/check.py" "$1.summary.json" >"$out"; then
        echo "verdict=MISMATCH" >"$out"
        echo "mismatch=ftpflow or the check failed (see $LOG)" >>"$out"
    fi
    CHECK_VERDICT=$(sed -n 's/^verdict=//p' "$out")
    CHECK_MISMATCHES=$(sed -n 's/^mismatch=//p' "$out")
    CHECK_PEAK=$(sed -n 's/^peak_connections=//p' "$out")
    CHECK_EVICTED=$(sed -n 's/^evicted_by_bound=//p' "$out")
    CHECK_EXPECT_EVICTED=$(sed -n 's/^expectations_evicted=//p' "$out")
}
report_check() { # LABEL
    if [ "$CHECK_VERDICT" = ok ]; then
        echo "- ftpflow's output on the $1 matches the generator (sessions, connections, transfers, bytes, statuses, modes)."
    else
        echo "- **ftpflow's output on the $1 does not match the generator:**"
        while IFS= read -r m; do [ -n "$m" ] && echo "  - $m"; done <<<"$CHECK_MISMATCHES"
    fi
    echo "  (flows evicted by the connection bound: ${CHECK_EVICTED:-?}; data-connection expectations evicted: ${CHECK_EXPECT_EVICTED:-?})"
}

# ---------------------------------------------------------------- captures
MAIN_BYTES=$(size_bytes "$SIZE")
SMALL_BYTES=100000000
FULL_BYTES=4000000000
MAIN="$WORK/bench-$MAIN_BYTES-s$SESSIONS-seed$SEED.pcap"
SMALL="$WORK/bench-$SMALL_BYTES-s$SESSIONS-seed$SEED.pcap"
BIG="$WORK/bench-$FULL_BYTES-s$SESSIONS-seed$SEED.pcap"
CONC_FILE="$WORK/concurrent-$CONC-seed$SEED.pcap"
BASE_FILE="$WORK/concurrent-10-seed$SEED.pcap"
# Sessions one after another: ~20 KB of file per session keeps the transfers real.
MANY_BYTES=$((MANY * 20000))
MANY_FILE="$WORK/bench-$MANY_BYTES-s$MANY-seed$SEED.pcap"

need_disk() { # BYTES LABEL
    local have
    have=$(free_bytes)
    if [ "$have" -lt $(($1 + 200000000)) ]; then
        note "not enough disk in $WORK for the $2 ($(($1 / 1000000)) MB needed, $((have / 1000000)) MB free)"
        return 1
    fi
}
bench_capture() { # FILE BYTES
    local recipe="synth=$SYNTH_SUM bench --bytes $2 --sessions $SESSIONS --seed $SEED"
    if [ ! -f "$1" ] || [ "$(cat "$1.recipe" 2>/dev/null)" != "$recipe" ]; then
        need_disk "$2" "$(($2 / 1000000)) MB capture" || return 1
    fi
    ensure_capture "$1" "$recipe" bench --out "$1" --bytes "$2" --sessions "$SESSIONS" --seed "$SEED"
}
bench_capture "$MAIN" "$MAIN_BYTES" || exit 2
HAVE_SMALL=0
if [ "$MAIN_BYTES" -ne "$SMALL_BYTES" ]; then
    bench_capture "$SMALL" "$SMALL_BYTES" && HAVE_SMALL=1
fi
ensure_capture "$BASE_FILE" "synth=$SYNTH_SUM concurrent --sessions 10 --seed $SEED" \
    concurrent --out "$BASE_FILE" --sessions 10 --seed "$SEED"
HAVE_MANY=0
if [ "$DO_MANY" -eq 1 ]; then
    recipe="synth=$SYNTH_SUM bench --bytes $MANY_BYTES --sessions $MANY --seed $SEED"
    if [ -f "$MANY_FILE" ] && [ "$(cat "$MANY_FILE.recipe" 2>/dev/null)" = "$recipe" ] ||
        need_disk "$MANY_BYTES" "session-scaling capture"; then
        ensure_capture "$MANY_FILE" "$recipe" bench --out "$MANY_FILE" --bytes "$MANY_BYTES" --sessions "$MANY" --seed "$SEED"
        HAVE_MANY=1
    fi
fi
HAVE_CONC=0
if [ "$DO_CONC" -eq 1 ]; then
    recipe="synth=$SYNTH_SUM concurrent --sessions $CONC --seed $SEED"
    if [ -f "$CONC_FILE" ] && [ "$(cat "$CONC_FILE.recipe" 2>/dev/null)" = "$recipe" ] ||
        need_disk $((CONC * 3300)) "concurrent capture"; then
        ensure_capture "$CONC_FILE" "$recipe" concurrent --out "$CONC_FILE" --sessions "$CONC" --seed "$SEED"
        HAVE_CONC=1
    fi
fi

# ---------------------------------------------------------------- machine
CPU=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -1)
RAM_KB=$(sed -n 's/^MemTotal:[[:space:]]*\([0-9]*\).*/\1/p' /proc/meminfo)
AVAIL_KB=$(sed -n 's/^MemAvailable:[[:space:]]*\([0-9]*\).*/\1/p' /proc/meminfo)
MAIN_SIZE=$(file_size "$MAIN")
FTPFLOW_VERSION=$("$FTPFLOW" --version 2>/dev/null || echo ftpflow)
GIT_REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    GIT_REV="$GIT_REV (uncommitted changes)"
fi
if [ $((MAIN_SIZE / 1024)) -gt $((AVAIL_KB * 8 / 10)) ]; then
    note "the capture is larger than 80% of available memory: it will not stay in the page cache"
fi

# ---------------------------------------------------------------- timed runs
: >"$RESULTS"
read -r BUSY_BEFORE STEAL_BEFORE <<<"$(idle_check)"
note "warming the page cache"
cat "$MAIN" >/dev/null
# cat and ftpflow run next to each other in every round, so that each round gives a
# ratio of two runs seconds apart: on a shared virtual machine the speed of both drifts
# over minutes (cat has varied 2x within one run), and a long tshark run in between
# would separate them.
TOOLS=(cat ftpflow ftpflow-1thread)
[ "$HAVE_TCPDUMP" -eq 1 ] && TOOLS+=(tcpdump)
[ "$HAVE_TSHARK" -eq 1 ] && TOOLS+=(tshark)
run_tool() { # TOOL FILE [NAME-PREFIX]
    local name="${3:-}$1"
    case "$1" in
        cat) measure "$name" cat "$2" ;;
        tcpdump) measure "$name" tcpdump -nr "$2" ;;
        tshark) measure "$name" tshark -r "$2" -Y ftp -T fields -e ftp.request.command ;;
        ftpflow) measure "$name" "$FTPFLOW" analyze --format json "$2" ;;
        # The same without the read-ahead thread: what the second thread is worth.
        ftpflow-1thread) measure "$name" "$FTPFLOW" analyze --format json --no-read-ahead "$2" ;;
    esac
}
for ((rep = 1; rep <= REPS; rep++)); do
    note "main capture: repetition $rep/$REPS (${TOOLS[*]})"
    for tool in "${TOOLS[@]}"; do
        run_tool "$tool" "$MAIN"
    done
done
# Several captures at once: two copies of the main capture, --separate, one job and two.
for ((rep = 1; rep <= REPS; rep++)); do
    note "two captures with --separate: repetition $rep/$REPS (-j 1, -j 2)"
    measure ftpflow-j1 "$FTPFLOW" analyze --format json --separate -j 1 "$MAIN" "$MAIN"
    measure ftpflow-j2 "$FTPFLOW" analyze --format json --separate -j 2 "$MAIN" "$MAIN"
done
note "checking ftpflow's output on the main capture"
check_output "$MAIN"
MAIN_VERDICT=$CHECK_VERDICT
MAIN_CHECK=$(report_check "main capture")

# Peak RSS against capture size.
if [ "$HAVE_SMALL" -eq 1 ]; then
    cat "$SMALL" >/dev/null
    for ((rep = 1; rep <= REPS; rep++)); do
        note "100 MB capture: repetition $rep/$REPS"
        measure ftpflow-100M "$FTPFLOW" analyze --format json "$SMALL"
    done
fi
HAVE_FULL=0
if [ "$FULL" -eq 1 ]; then
    if bench_capture "$BIG" "$FULL_BYTES"; then
        HAVE_FULL=1
        cat "$BIG" >/dev/null
        full_reps=$((REPS < 3 ? REPS : 3))
        for ((rep = 1; rep <= full_reps; rep++)); do
            note "4 GB capture: repetition $rep/$full_reps"
            measure ftpflow-4G "$FTPFLOW" analyze --format json "$BIG"
        done
        note "checking ftpflow's output on the 4 GB capture"
        check_output "$BIG"
        FULL_CHECK=$(report_check "4 GB capture")
        BIG_SIZE=$(file_size "$BIG")
        if [ "$KEEP_FULL" -eq 0 ]; then
            rm -f "$BIG" "$BIG.summary.json" "$BIG.truth.json" "$BIG.recipe"
        fi
    fi
fi

# Sessions one after another.
if [ "$HAVE_MANY" -eq 1 ]; then
    cat "$MANY_FILE" >/dev/null
    many_reps=$((REPS < 3 ? REPS : 3))
    for ((rep = 1; rep <= many_reps; rep++)); do
        note "session-scaling capture: repetition $rep/$many_reps"
        measure ftpflow-base "$FTPFLOW" analyze --format json "$BASE_FILE"
        measure ftpflow-many "$FTPFLOW" analyze --format json "$MANY_FILE"
    done
    note "checking ftpflow's output on the session-scaling capture"
    check_output "$MANY_FILE"
    MANY_PEAK=$CHECK_PEAK
    MANY_CHECK=$(report_check "session-scaling capture")
fi

# Flows.
if [ "$HAVE_CONC" -eq 1 ]; then
    cat "$CONC_FILE" >/dev/null
    conc_reps=$((REPS < 3 ? REPS : 3))
    for ((rep = 1; rep <= conc_reps; rep++)); do
        note "concurrent capture: repetition $rep/$conc_reps"
        measure ftpflow-base "$FTPFLOW" analyze --format json "$BASE_FILE"
        measure ftpflow-conc "$FTPFLOW" analyze --format json "$CONC_FILE"
    done
    note "checking ftpflow's output on the concurrent capture"
    check_output "$CONC_FILE"
    CONC_PEAK=$CHECK_PEAK
    CONC_CHECK=$(report_check "concurrent capture")
fi

# A real capture: vsftpd and lftp, recorded by scripts/real/record.py.
HAVE_REAL=0
if [ "$REAL" -eq 1 ]; then
    REAL_FILE="$WORK/real-vsftpd-lftp-bulk.pcap"
    REAL_TRUTH="$WORK/real-vsftpd-lftp-bulk.truth.json"
    recipe="record.py vsftpd-lftp-bulk FTPFLOW_BULK_MIB=$REAL_MIB"
    if [ -f "$REAL_FILE" ] && [ -f "$REAL_TRUTH" ] && [ "$(cat "$REAL_FILE.recipe" 2>/dev/null)" = "$recipe" ]; then
        note "reusing $REAL_FILE"
        HAVE_REAL=1
    elif need_disk $((REAL_MIB * 1048576 * 5)) "real capture (two files, their copies and the capture)"; then
        rm -f "$REAL_FILE" "$REAL_FILE.recipe" "$REAL_TRUTH"
        note "recording $REAL_FILE (vsftpd and lftp, 2 x $REAL_MIB MiB; about a minute)"
        if FTPFLOW_BULK_MIB=$REAL_MIB timeout "$TIMEOUT" python3 "$ROOT/scripts/real/record.py" \
            --out "$WORK" --scenario vsftpd-lftp-bulk >>"$LOG" 2>&1; then
            echo "$recipe" >"$REAL_FILE.recipe"
            HAVE_REAL=1
        else
            note "recording the real capture failed (see $LOG): skipped"
        fi
    fi
fi
if [ "$HAVE_REAL" -eq 1 ]; then
    cat "$REAL_FILE" >/dev/null
    for ((rep = 1; rep <= REPS; rep++)); do
        note "real capture: repetition $rep/$REPS (${TOOLS[*]})"
        for tool in "${TOOLS[@]}"; do
            run_tool "$tool" "$REAL_FILE" real-
        done
    done
    note "checking ftpflow's output on the real capture"
    if REAL_CHECK=$(timeout "$TIMEOUT" "$FTPFLOW" analyze --format json "$REAL_FILE" 2>>"$LOG" |
        python3 "$ROOT/benches/check_truth.py" "$REAL_TRUTH" 2>&1); then
        REAL_CHECK="- $REAL_CHECK"
    else
        REAL_CHECK="- **ftpflow's output on the real capture does not match the recording's truth:** $REAL_CHECK"
    fi
    REAL_PACKETS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["recording"]["tcpdump_counters"]["captured"])' \
        "$REAL_TRUTH" 2>/dev/null || echo "?")
fi

# ---------------------------------------------------------------- report
read -r BUSY_AFTER STEAL_AFTER <<<"$(idle_check)"
F_T=$(median ftpflow 2)
F_M=$(median ftpflow 3)
REPORT="$WORK/report.md"
# The table of every tool on one capture, and the targets line. Samples named PREFIX+tool.
tool_table() { # PREFIX FILE-BYTES
    local p=$1 size=$2 t m label cmp ft fm
    ft=$(median "${p}ftpflow" 2)
    fm=$(median "${p}ftpflow" 3)
    echo "| tool | median wall (s) | min wall (s) | MB/s | median peak RSS (MiB) | ftpflow vs tool (medians) |"
    echo "|---|---:|---:|---:|---:|---|"
    for tool in "${TOOLS[@]}"; do
        t=$(median "$p$tool" 2)
        m=$(median "$p$tool" 3)
        case "$tool" in
            cat) label='`cat FILE > /dev/null` (I/O floor)'; cmp=$(compare "$ft" "$t" cat) ;;
            tcpdump) label='`tcpdump -nr FILE > /dev/null`'; cmp=$(compare "$ft" "$t" tcpdump) ;;
            tshark) label='`tshark -r FILE -Y ftp -T fields -e ftp.request.command`'; cmp="ftpflow is $(ratio "$t" "$ft")x faster" ;;
            ftpflow) label='`ftpflow analyze --format json FILE > /dev/null`'; cmp="—" ;;
            ftpflow-1thread) label='`ftpflow analyze --format json --no-read-ahead FILE` (one thread)'; cmp="the read-ahead thread makes ftpflow $(ratio "$t" "$ft")x faster" ;;
        esac
        echo "| $label | $(secs "$t") | $(secs "$(minimum "$p$tool" 2)") | $(rate "$size" "$t") | $(mib "$m") | $cmp |"
    done
    echo
    read -r rr_med rr_min rr_max <<<"$(round_ratios "${p}ftpflow" "${p}cat")"
    echo "ftpflow / cat in each round (the two ran one after the other): median ${rr_med}x, from ${rr_min}x to ${rr_max}x."
    echo
    echo "Targets (issue): ftpflow at most 1.3x cat: $(awk -v r="$rr_med" 'BEGIN{ if (r == "NaN") print "n/a"; else print (r <= 1.3 ? "met" : "**not met**") " (" r "x, median of the rounds)" }');" \
        "at least 10x faster than tshark: $([ "$HAVE_TSHARK" -eq 1 ] && awk -v r="$(ratio "$(median "${p}tshark" 2)" "$ft")" 'BEGIN{ if (r == "n/a") print "n/a"; else print (r >= 10 ? "met" : "**not met**") " (" r "x)" }' || echo "tshark not measured");" \
        "peak RSS at most 32 MiB: $(awk -v m="$fm" 'BEGIN{ if (m == "NaN") print "n/a"; else printf "%s (%.1f MiB)", (m / 1024 <= 32 ? "met" : "**not met**"), m / 1024 }')."
}
{
    echo "## ftpflow benchmark"
    echo
    echo "Machine: $(nproc) CPUs, ${CPU:-unknown CPU}, $((RAM_KB / 1024 / 1024)) GiB RAM ($(uname -sr)); in the second before the timed runs other processes used ${BUSY_BEFORE}% of the CPU time and the hypervisor took ${STEAL_BEFORE}% (after them: ${BUSY_AFTER}% and ${STEAL_AFTER}%)."
    echo "ftpflow: $FTPFLOW_VERSION, commit $GIT_REV. Tools: $(tcpdump --version 2>&1 | head -1 || true)$([ "$HAVE_TSHARK" -eq 1 ] && echo ", $(tshark --version 2>/dev/null | head -1 | sed 's/[.]$//')")."
    echo "Capture: $(basename "$MAIN"), $MAIN_SIZE bytes ($(awk -v b="$MAIN_SIZE" 'BEGIN{printf "%.2f", b/1e9}') GB), $(json_field "$MAIN.summary.json" packets) packets, $(json_field "$MAIN.summary.json" ftp_sessions) FTP sessions, generated by \`ftpflow-synth bench --bytes $MAIN_BYTES --sessions $SESSIONS --seed $SEED\`; page cache warm; median of $REPS runs, interleaved."
    echo
    tool_table "" "$MAIN_SIZE"
    echo
    awk -v b="$BUSY_BEFORE" -v c="$BUSY_AFTER" -v s="$STEAL_BEFORE" -v t="$STEAL_AFTER" 'BEGIN { if (b > 10 || c > 10 || s > 5 || t > 5) print "**Warning:** the machine was busy (other processes or the hypervisor took over 10% / 5% of the CPU time): they compete with the timed commands; look at the per-round ratios and the min column, or run again on an idle machine.\n" }'
    echo "$MAIN_CHECK"
    echo
    echo "### Several captures at once"
    echo
    echo "Two copies of the main capture, each its own capture (\`--separate\`):"
    echo
    echo "| command | median wall (s) | median peak RSS (MiB) |"
    echo "|---|---:|---:|"
    for j in 1 2; do
        echo "| \`ftpflow analyze --format json --separate -j $j FILE FILE\` | $(secs "$(median "ftpflow-j$j" 2)") | $(mib "$(median "ftpflow-j$j" 3)") |"
    done
    echo
    echo "Two jobs take $(ratio "$(median ftpflow-j2 2)" "$(median ftpflow-j1 2)")x the time of one (same output, byte for byte)."
    echo
    echo "### ftpflow's peak RSS against capture size"
    echo
    echo "| capture | size (bytes) | median wall (s) | MB/s | median peak RSS (MiB) |"
    echo "|---|---:|---:|---:|---:|"
    rss_list=()
    if [ "$HAVE_SMALL" -eq 1 ]; then
        s=$(file_size "$SMALL")
        echo "| 100 MB | $s | $(secs "$(median ftpflow-100M 2)") | $(rate "$s" "$(median ftpflow-100M 2)") | $(mib "$(median ftpflow-100M 3)") |"
        rss_list+=("$(median ftpflow-100M 3)")
    fi
    echo "| $SIZE (main) | $MAIN_SIZE | $(secs "$F_T") | $(rate "$MAIN_SIZE" "$F_T") | $(mib "$F_M") |"
    rss_list+=("$F_M")
    if [ "$HAVE_FULL" -eq 1 ]; then
        echo "| 4 GB | $BIG_SIZE | $(secs "$(median ftpflow-4G 2)") | $(rate "$BIG_SIZE" "$(median ftpflow-4G 2)") | $(mib "$(median ftpflow-4G 3)") |"
        rss_list+=("$(median ftpflow-4G 3)")
    elif [ "$FULL" -eq 0 ]; then
        echo "| 4 GB | (run with --full) | | | |"
    fi
    echo
    printf '%s\n' "${rss_list[@]}" | awk '$1 != "NaN" { v[++n] = $1; if (n == 1 || $1 < lo) lo = $1; if (n == 1 || $1 > hi) hi = $1 }
        END { if (n < 2) print "Peak RSS within 10% across sizes: not enough captures measured.";
              else printf "Peak RSS within 10%% across sizes: %s (largest / smallest = %.3f).\n", (hi <= lo * 1.10 ? "yes" : "**no**"), hi / lo }'
    [ "$HAVE_FULL" -eq 1 ] && { echo; echo "$FULL_CHECK"; }
    BM=$(median ftpflow-base 3)
    if [ "$HAVE_MANY" -eq 1 ]; then
        MT=$(median ftpflow-many 2)
        MM=$(median ftpflow-many 3)
        echo
        echo "### ftpflow with $MANY sessions one after another"
        echo
        echo "Capture: $(basename "$MANY_FILE"), $(file_size "$MANY_FILE") bytes, $(json_field "$MANY_FILE.summary.json" packets) packets, $(json_field "$MANY_FILE.summary.json" tcp_connections) TCP connections, at most $(json_field "$MANY_FILE.summary.json" peak_open_connections) open at once (generator)."
        echo
        echo "| capture | median wall (s) | MB/s | median peak RSS (MiB) |"
        echo "|---|---:|---:|---:|"
        echo "| 10 sessions (baseline) | $(secs "$(median ftpflow-base 2)") | | $(mib "$BM") |"
        echo "| $MANY sessions | $(secs "$MT") | $(rate "$(file_size "$MANY_FILE")" "$MT") | $(mib "$MM") |"
        echo
        echo "ftpflow's peak_connections: ${MANY_PEAK:-?}. Memory per session: $(awk -v c="$MM" -v b="$BM" -v n="$MANY" 'BEGIN{ if (c == "NaN" || b == "NaN") print "n/a"; else printf "%.0f bytes ((%.1f MiB - %.1f MiB) / %d sessions)", (c - b) * 1024 / n, c / 1024, b / 1024, n }')."
        echo
        echo "$MANY_CHECK"
    fi
    if [ "$HAVE_CONC" -eq 1 ]; then
        CT=$(median ftpflow-conc 2)
        CM=$(median ftpflow-conc 3)
        echo
        echo "### ftpflow with $CONC sessions open at once"
        echo
        echo "Capture: $(basename "$CONC_FILE"), $(file_size "$CONC_FILE") bytes, $(json_field "$CONC_FILE.summary.json" packets) packets; $(json_field "$CONC_FILE.summary.json" peak_open_connections) TCP connections open at once (generator); baseline: the same shape with 10 sessions."
        echo
        echo "| capture | median wall (s) | median peak RSS (MiB) |"
        echo "|---|---:|---:|"
        echo "| 10 sessions (baseline) | $(secs "$(median ftpflow-base 2)") | $(mib "$BM") |"
        echo "| $CONC sessions | $(secs "$CT") | $(mib "$CM") |"
        echo
        echo "ftpflow's peak_connections: ${CONC_PEAK:-?}. Memory per open flow: $(awk -v c="$CM" -v b="$BM" -v p="${CONC_PEAK:-0}" 'BEGIN{ if (c == "NaN" || b == "NaN" || p == 0) print "n/a"; else printf "%.0f bytes ((%.1f MiB - %.1f MiB) / %d flows)", (c - b) * 1024 / p, c / 1024, b / 1024, p }')."
        echo
        echo "$CONC_CHECK"
    fi
    if [ "$HAVE_REAL" -eq 1 ]; then
        echo
        echo "### A real capture: vsftpd and lftp"
        echo
        echo "Capture: $(basename "$REAL_FILE"), $(file_size "$REAL_FILE") bytes, $REAL_PACKETS packets, recorded by \`scripts/real/record.py --scenario vsftpd-lftp-bulk\` (vsftpd and lftp between two network namespaces, tcpdump on the server's veth, offloads off): one RETR of $REAL_MIB MiB over EPSV and one STOR of $REAL_MIB MiB over PORT; page cache warm; median of $REPS runs, interleaved."
        echo
        tool_table real- "$(file_size "$REAL_FILE")"
        echo
        echo "$REAL_CHECK"
    fi
    echo
    echo "Raw samples (name, wall seconds, peak RSS KiB): $RESULTS; log: $LOG."
} | tee "$REPORT"
[ "$MAIN_VERDICT" = ok ] || note "ftpflow's output on the main capture did not match the generator (see the report)"
