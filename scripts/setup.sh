#!/usr/bin/env bash
# Installs what ftpflow's tests need on a fresh Debian/Ubuntu machine (idempotent).
# Cargo is assumed present (rustup). System packages: tcpdump and tshark (capture reading
# checks and the differential test), vsftpd, lftp and curl (real servers and clients),
# libpcap-dev (the `live` feature), iproute2 and ethtool (network namespaces), openssl (a
# certificate for the FTPS recording), nftables (the firewall and NAT recordings, and
# `nft -c` on the advice's commands), iptables (`iptables-restore --test` on them); Python:
# pyftpdlib (a real server); zat, parsezeeklogs and duckdb (tests/zeek_check.py reads the
# --zeek-logs with them); groff-base and zsh (the man page is rendered and the zsh
# completion script parsed by tests/install.rs); chromium and libxml2-utils (tests/html_browser.rs
# loads the HTML reports in headless Chromium and checks the SVG with xmllint); nodejs and npm
# for tests/browser's node modules (playwright-core, the Mermaid CLI), installed with `npm ci`
# from the committed package-lock.json when node_modules is missing or older than the lock
# file, with PUPPETEER_SKIP_DOWNLOAD=1: they drive the system's Chromium, no browser is
# downloaded.
set -euo pipefail

need_apt=()
for pkg in tcpdump tshark vsftpd lftp curl libpcap-dev iproute2 ethtool openssl nftables iptables python3 groff-base zsh chromium libxml2-utils; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing ${need_apt[*]}"
    echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if ! python3 -c "import pyftpdlib" 2>/dev/null; then
    echo "setup: installing pyftpdlib"
    # A distribution's own Python refuses pip outside a venv (PEP 668); allow it for this
    # one package, which the tests import from python3.
    python3 -m pip install --quiet pyftpdlib 2>/dev/null ||
        python3 -m pip install --quiet --break-system-packages pyftpdlib
fi
if ! python3 -c "import zat, parsezeeklogs, duckdb" 2>/dev/null; then
    echo "setup: installing zat, parsezeeklogs and duckdb"
    python3 -m pip install --quiet zat parsezeeklogs duckdb 2>/dev/null ||
        python3 -m pip install --quiet --break-system-packages zat parsezeeklogs duckdb
fi
# Node itself: from Debian only when the machine has none (a newer one may be installed).
if ! command -v npm >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing nodejs and npm"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
browser="$(cd "$(dirname "$0")/.." && pwd)/tests/browser"
if [ ! -d "$browser/node_modules" ] || [ "$browser/package-lock.json" -nt "$browser/node_modules" ]; then
    echo "setup: npm ci in tests/browser"
    (cd "$browser" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
    touch "$browser/node_modules"
fi
