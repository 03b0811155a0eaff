#!/usr/bin/env python3
"""Measures what `ftpflow live` sustains on loopback during a large FTP download.

Usage (as root):  benches/live.py [--size 1G] [--reps 3] [--bin PATH]

A real server (pyftpdlib, tests/live/server.py) serves a file of --size bytes; curl
downloads it in passive mode to /dev/null. Each repetition runs three ways, interleaved so
a change in machine load hits all of them alike:

  alone     the transfer without any capture: the reference rate;
  tcpdump   `tcpdump -i lo -w /dev/null` with the same filter: the reference capturer;
  ftpflow   `ftpflow live -i lo --format json` with the same filter.

on two loopbacks:

  lo-64k    the host's loopback as it is (MTU 65536, segmentation offload: few, large
            packets);
  lo-1500   the loopback of a network namespace this script creates and deletes, with MTU
            1500 and offloads off, so the capture sees Ethernet-sized packets (~45 times
            as many).

Packets are those the capturer got (libpcap's "received" counts each loopback packet twice,
as sent and as received, and the sent copy is discarded). For ftpflow it reads libpcap's counters from the report (received, dropped by the kernel)
and checks that the transfer is reported complete with every byte. It prints a Markdown
table of medians; rates are packets and bytes captured per second of transfer.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NS = f"ftpflow-live-bench-{os.getpid()}"
USER, PASSWORD = "alice", "live-pw"
PORT, PASV_LO, PASV_HI = 2121, 30000, 30009


def parse_size(s):
    m = re.fullmatch(r"(\d+)([KMG]?)", s.upper())
    if not m:
        sys.exit(f"live.py: bad size {s!r} (e.g. 1G, 500M)")
    return int(m.group(1)) * {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m.group(2)]


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Loopback:
    """Where the server, the client and the capture run: a command prefix and ports."""

    def __init__(self, name, prefix, port, pasv_lo, pasv_hi):
        self.name, self.prefix = name, prefix
        self.port, self.pasv_lo, self.pasv_hi = port, pasv_lo, pasv_hi

    @property
    def filter(self):
        return f"tcp port {self.port} or tcp portrange {self.pasv_lo}-{self.pasv_hi}"


def make_namespace():
    run(["ip", "netns", "add", NS])
    ex = ["ip", "netns", "exec", NS]
    run(ex + ["ip", "link", "set", "lo", "mtu", "1500", "up"])
    # Without this the capture sees the 64 KB super-packets segmentation offload makes.
    run(ex + ["ethtool", "-K", "lo", "tso", "off", "gso", "off", "gro", "off"], stdout=subprocess.DEVNULL)
    return ex


def wait_for_line(proc, want, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.strip() == want:
            return
    raise RuntimeError(f"no {want!r} from {proc.args}")


def stop(proc, seconds=20):
    """SIGTERM to a process this script started, then wait (bounded); SIGKILL if needed."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise RuntimeError(f"{proc.args[0]} did not stop after SIGTERM")


def download(lo, size):
    """curl, passive, to /dev/null; returns seconds."""
    url = f"ftp://127.0.0.1:{lo.port}/big.bin"
    t = time.monotonic()
    out = subprocess.run(
        lo.prefix + ["curl", "-sS", "--ftp-pasv", "-u", f"{USER}:{PASSWORD}", "-o", "/dev/null",
                     "-w", "%{size_download}", url],
        check=True, capture_output=True, text=True, timeout=600)
    seconds = time.monotonic() - t
    if int(out.stdout.strip()) != size:
        raise RuntimeError(f"curl downloaded {out.stdout} bytes, not {size}")
    return seconds


def start_capture(lo, kind, binary, out_path):
    if kind == "tcpdump":
        cmd = ["tcpdump", "-i", "lo", "-n", "-B", "32768", "-w", "/dev/null", lo.filter]
    else:
        cmd = [binary, "live", "-i", "lo", "-f", lo.filter, "--ftp-port", str(lo.port),
               "--buffer", "32", "--format", "json", "-o", out_path]
    proc = subprocess.Popen(lo.prefix + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    # Both say so on stderr once the filter is set.
    want = "listening on" if kind == "tcpdump" else "capturing on"
    deadline = time.time() + 20
    while time.time() < deadline:
        line = proc.stderr.readline()
        if want in line:
            return proc
        if not line and proc.poll() is not None:
            break
    stop(proc)
    raise RuntimeError(f"{kind} did not start: {proc.stderr.read()}")


def one_run(lo, kind, binary, size, workdir):
    if kind == "alone":
        return {"seconds": download(lo, size)}
    out_path = os.path.join(workdir, "live.json")
    proc = start_capture(lo, kind, binary, out_path)
    seconds = download(lo, size)
    time.sleep(0.5)  # the last ACKs and the close reach the capture
    code = stop(proc)
    err = proc.stderr.read()
    if code != 0:
        raise RuntimeError(f"{kind} exited {code}: {err}")
    if kind == "tcpdump":
        captured = int(re.search(r"(\d+) packets captured", err).group(1))
        dropped = int(re.search(r"(\d+) packets dropped by kernel", err).group(1))
        return {"seconds": seconds, "packets": captured, "dropped": dropped, "bytes": None}
    with open(out_path) as f:
        report = json.load(f)
    live = report["capture"]["live"]
    retr = [t for s in report["sessions"] for t in s["transfers"] if t["command"] == "RETR"]
    ok = len(retr) == 1 and retr[0]["bytes"] == size and retr[0]["status"] == "complete"
    return {"seconds": seconds, "packets": live["packets"], "bytes": live["bytes"],
            "dropped": live["dropped_by_kernel"], "if_dropped": live["dropped_by_interface"],
            "received": live["received"], "reported_ok": ok,
            "reported_bytes": retr[0]["bytes"] if retr else None}


def median(values):
    return statistics.median(values) if values else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="1G")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--bin", help="ftpflow built with --features live (default: build it)")
    ap.add_argument("--only", choices=["lo-64k", "lo-1500"], help="one loopback only")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("live.py: capturing and namespaces need root")
    size = parse_size(args.size)
    binary = args.bin
    if not binary:
        run(["cargo", "build", "--release", "--features", "live", "-q"], cwd=ROOT)
        binary = os.path.join(ROOT, "target", "release", "ftpflow")
    for tool in ("tcpdump", "curl", "ethtool", "ip"):
        if not shutil.which(tool):
            sys.exit(f"live.py: {tool} is missing (scripts/setup.sh installs it)")

    workdir = tempfile.mkdtemp(prefix="ftpflow-live-bench-")
    os.chmod(workdir, 0o755)
    files = os.path.join(workdir, "root")
    os.mkdir(files)
    with open(os.path.join(files, "big.bin"), "wb") as f:
        # Deterministic bytes, not a sparse file: the server reads real pages.
        block = bytes((i * 7) % 251 for i in range(1 << 20))
        for _ in range(size // len(block)):
            f.write(block)
        f.write(block[: size % len(block)])

    loopbacks, servers, made_ns = [], [], False
    results = {}
    try:
        if args.only in (None, "lo-64k"):
            p = free_port()
            lo_p = free_port()
            loopbacks.append(Loopback("lo-64k", [], p, lo_p, lo_p))
        if args.only in (None, "lo-1500"):
            made_ns = True
            loopbacks.append(Loopback("lo-1500", make_namespace(), PORT, PASV_LO, PASV_HI))
        for lo in loopbacks:
            server = subprocess.Popen(
                lo.prefix + [sys.executable, os.path.join(ROOT, "tests/live/server.py"), files,
                             str(lo.port), str(lo.pasv_lo), str(lo.pasv_hi)],
                stdout=subprocess.PIPE, text=True)
            servers.append(server)
            wait_for_line(server, "ready", 20)
            for rep in range(args.reps):
                for kind in ("alone", "tcpdump", "ftpflow"):
                    r = one_run(lo, kind, binary, size, workdir)
                    results.setdefault((lo.name, kind), []).append(r)
                    print(f"# {lo.name} {kind} rep {rep + 1}: {r}", file=sys.stderr)
    finally:
        for s in servers:
            stop(s)
        if made_ns:
            subprocess.run(["ip", "netns", "del", NS], check=False)
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"Download of {size:,} bytes (curl, passive, from pyftpdlib), median of {args.reps}:\n")
    print("| loopback | capture | transfer s | vs. alone | packets | packets/s | MB/s captured | kernel drops | ftpflow's RETR |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for lo in loopbacks:
        alone = median([r["seconds"] for r in results[(lo.name, "alone")]])
        for kind in ("alone", "tcpdump", "ftpflow"):
            rs = results[(lo.name, kind)]
            secs = median([r["seconds"] for r in rs])
            if kind == "alone":
                print(f"| {lo.name} | none | {secs:.2f} | 1.00x | | | | | |")
                continue
            pkts = median([r["packets"] for r in rs])
            drops = max(r["dropped"] for r in rs)
            pps = median([r["packets"] / r["seconds"] for r in rs])
            if kind == "ftpflow":
                mbps = median([r["bytes"] / r["seconds"] / 1e6 for r in rs])
                verdict = "complete, every byte" if all(r["reported_ok"] for r in rs) else \
                    "WRONG: " + ", ".join(str(r["reported_bytes"]) for r in rs)
                mb = f"{mbps:,.0f}"
            else:
                mb, verdict = "", ""
            print(f"| {lo.name} | {kind} | {secs:.2f} | {secs / alone:.2f}x | {pkts:,.0f} | {pps:,.0f} | {mb} | "
                  f"{drops} (max) | {verdict} |")


if __name__ == "__main__":
    main()
