#!/usr/bin/env bash
# The test command of README.md: installs what the tests need, records fresh captures of
# real FTP servers and clients in network namespaces (as root), then runs every test of
# the workspace (unit, property, golden, corpus, tshark differential, real recordings, CLI).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export FTPFLOW_REQUIRE_TOOLS=1
# The recording script's own capture checks (pcapflows.py), on captures built in the test.
PYTHONDONTWRITEBYTECODE=1 python3 -m unittest discover -s scripts/real -p 'test_*.py'
if [ "$(id -u)" -eq 0 ]; then
    fresh="$PWD/target/fresh-recordings"
    rm -rf "$fresh"
    mkdir -p "$fresh"
    # Real servers (vsftpd, pyftpdlib) and clients (lftp, curl, ftplib), one scenario over
    # an impaired link; the script creates and deletes its own namespaces.
    python3 scripts/real/record.py --all --out "$fresh"
    export FTPFLOW_FRESH_RECORDINGS="$fresh"
else
    echo "test.sh: not root, so no fresh recordings of real servers (the committed ones are still checked)" >&2
fi
cargo test --workspace --all-features "$@"
# The default build (no libpcap): its command line, including `live`'s build hint.
cargo test --test cli "$@"
