#!/usr/bin/env bash
# Draws the samples' pictures listed in samples/pictures/pictures.tsv (SVG ladder diagrams
# and Mermaid sequence diagrams) with the current build. tests/pictures.rs fails when a
# committed picture differs from what the build draws: run this, read `git diff`, commit.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/ftpflow
list=samples/pictures/pictures.tsv
n=0
while IFS=$'\t' read -r file sample session flags; do
    case "$file" in ''|'#'*) continue ;; esac
    case "$file" in
        *.svg) format=svg ;;
        *.mmd) format=mermaid ;;
        *) echo "pictures.sh: $file: neither .svg nor .mmd" >&2; exit 2 ;;
    esac
    # shellcheck disable=SC2086 # flags are words
    "$bin" analyze -q -F "$format" --session "$session" ${flags:-} \
        -o "samples/pictures/$file" "samples/$sample"
    n=$((n + 1))
done < "$list"
echo "pictures.sh: drew $n pictures in samples/pictures/"
