#!/usr/bin/env bash
# Builds the Debian package of ftpflow into target/debian/ (needs cargo-deb:
# `cargo install cargo-deb`). `scripts/deb.sh live` builds the variant with live capture
# (needs libpcap-dev; the package then depends on libpcap0.8).
# Install with: sudo apt install ./target/debian/ftpflow_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
variant=()
features=()
if [ "${1:-}" = "live" ]; then
    variant=(--variant live)
    features=(--features live)
fi
cargo build --release "${features[@]}"
# The man page and completions come from the binary's own clap definitions.
mkdir -p target/assets
bin=target/release/ftpflow
"$bin" man | gzip -9n > target/assets/ftpflow.1.gz
"$bin" completions bash > target/assets/ftpflow.bash
"$bin" completions zsh > target/assets/_ftpflow
"$bin" completions fish > target/assets/ftpflow.fish
# Stripped: the release profile keeps line tables for backtraces (30 MB with them).
cargo deb --no-build --strip "${variant[@]}"
