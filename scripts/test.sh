#!/usr/bin/env bash
# The test command of README.md: installs what the tests need, then runs every test of
# the workspace (unit, golden, corpus, real recordings, CLI).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo test --workspace --all-features "$@"
