#!/usr/bin/env bash
# Runs the libFuzzer targets of fuzz/ for SECONDS each (default 60), one after the other:
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]      (all targets when none is named)
#   scripts/fuzz.sh --self-test                           (checks that a failure is reported)
#
# Installs cargo-fuzz when it is missing; builds on the default toolchain, with
# RUSTC_BOOTSTRAP=1 when that is not a nightly (cargo-fuzz passes nightly-only flags), or
# on FUZZ_TOOLCHAIN (e.g. nightly) when set. Fills fuzz/corpus/ with seeds from samples/
# and ../shared (fuzz/seed.py), runs each target with the dictionary fuzz/ftp.dict, and
# prints a Markdown table of runs: target, seconds, executions, executions per second,
# corpus size, result. Exits non-zero when any target crashed, timed out or ran out of
# memory, after naming the input that did it (under fuzz/artifacts/<target>/; replay it with
# fuzz/target/x86_64-unknown-linux-gnu/release/<target> <file>). Logs: fuzz/logs/.
# FUZZ_SANITIZER: none (default: the code is safe Rust, and without ASan it runs about twice
# as fast) or address. Extra libFuzzer flags: FUZZ_ARGS.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(ftp_parsers decode_frame tcp_reassembly capture_reader ftp_session pipeline)
self_test=0
seconds=60
if [ "${1:-}" = "--self-test" ]; then
    self_test=1
    shift
elif [ -n "${1:-}" ]; then
    seconds=$1
    shift
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

# Longest input per target: captures and conversations need room, parsers stay fast.
max_len() {
    case "$1" in
        capture_reader) echo 65536 ;;
        pipeline) echo 65544 ;;
        ftp_session) echo 16384 ;;
        decode_frame) echo 8192 ;;
        ftp_parsers) echo 4096 ;;
        tcp_reassembly) echo 2048 ;;
        *) echo "scripts/fuzz.sh: no such target: $1" >&2; exit 2 ;;
    esac
}
for t in "${targets[@]}"; do max_len "$t" > /dev/null; done

if ! cargo fuzz --version > /dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
cargo_fuzz=(cargo)
if [ -n "${FUZZ_TOOLCHAIN:-}" ]; then
    cargo_fuzz=(cargo "+$FUZZ_TOOLCHAIN")
elif ! rustc --version | grep -q nightly; then
    export RUSTC_BOOTSTRAP=1
fi
sanitizer=${FUZZ_SANITIZER:-none}
triple=$(rustc -vV | sed -n 's/^host: //p')

python3 fuzz/seed.py
(cd fuzz && "${cargo_fuzz[@]}" fuzz build --sanitizer "$sanitizer")
bin_dir=fuzz/target/$triple/release

mkdir -p fuzz/logs
failed=0
table=$'| target | seconds | executions | exec/s | corpus | result |\n|---|---:|---:|---:|---:|---|'
run_one() {
    local target=$1 seconds=$2
    shift 2
    local log=fuzz/logs/$target.log
    mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
    local start rc=0
    start=$(date +%s)
    # -timeout: one input taking 10 s is a hang; -rss_limit_mb: the analysis is bounded,
    # so 2 GiB is a leak or an unbounded buffer.
    "$bin_dir/$target" "fuzz/corpus/$target" \
        -dict=fuzz/ftp.dict -max_len="$(max_len "$target")" -max_total_time="$seconds" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="fuzz/artifacts/$target/" "$@" ${FUZZ_ARGS:-} > "$log" 2>&1 || rc=$?
    local took=$(( $(date +%s) - start ))
    local execs corpus result
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1 || true)
    execs=${execs:-0}
    corpus=$(find "fuzz/corpus/$target" -type f | wc -l)
    if [ "$rc" -eq 0 ]; then
        result="0 crashes"
    else
        failed=1
        local what artifact
        what=$(grep -m1 -oE 'ERROR: libFuzzer: [a-z -]+|panicked at [^ ]+[0-9]' "$log" || echo "exit $rc")
        artifact=$(grep -oE 'Test unit written to [^ ]+' "$log" | tail -1 | sed 's/Test unit written to //' || true)
        result="FAILED: $what; input: ${artifact:-none written}; log: $log"
        echo "scripts/fuzz.sh: $target failed ($what). Input: ${artifact:-none}. Log: $log" >&2
        grep -m1 -A4 'panicked at' "$log" >&2 || true
    fi
    table+=$'\n'"| $target | $took | $execs | $(( execs / (took > 0 ? took : 1) )) | $corpus | $result |"
}

if [ "$self_test" -eq 1 ]; then
    # A memory limit no run can keep: the run must fail, be reported, and leave its input.
    run_one ftp_parsers 20 -rss_limit_mb=1 -malloc_limit_mb=1
    echo "$table"
    if [ "$failed" -eq 1 ] && grep -q "out-of-memory" fuzz/logs/ftp_parsers.log; then
        echo "self-test: a failing run is reported and fails the script, as it should"
        exit 0
    fi
    echo "self-test: the failing run was not reported" >&2
    exit 1
fi

for t in "${targets[@]}"; do
    run_one "$t" "$seconds"
done
echo
echo "Fuzzing on $(date -u +%Y-%m-%d), $seconds s per target, sanitizer $sanitizer:"
echo "$table"
exit "$failed"
