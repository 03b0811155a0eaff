#!/usr/bin/env python3
"""Record FTP sessions between real servers and real clients, with their ground truth.

Usage (as root; Debian 12 or alike)::

    python3 scripts/real/record.py --all                     # every scenario into samples/
    python3 scripts/real/record.py --scenario NAME [--scenario NAME ...] [--out DIR]
    python3 scripts/real/record.py --scenario NAME --netem   # add loss/reordering/delay
    python3 scripts/real/record.py --list

For each scenario the script creates two network namespaces (client ``cli`` and server
``srv``, named ``ftpf<pid>-<n>-cli``/``-srv``) joined by a veth pair, or with ``--netem``
by two TAP devices and linkemu.py (the kernel here has no sch_netem), with addresses
10.21.<n>.2 / 10.21.<n>.1 and fd00:21:<n>::2 / fd00:21:<n>::1. It starts the server in
``srv``, waits until it listens, starts ``tcpdump -i <server-side interface> -U
--immediate-mode -s 0 -w FILE tcp`` in ``srv`` and waits for "listening on", runs the
client(s) in ``cli`` (bounded by timeouts), waits until every TCP connection in both
namespaces is closed (LISTEN/TIME-WAIT only, bounded), then until the capture file shows
the end of every connection (bounded), stops tcpdump by PID with SIGINT, stops the
server, deletes the namespaces (also on any failure or signal), checks every transferred
file with sha256 on both ends, cross-checks the client's account of the control
connections with the server's protocol log, checks that every command is in the capture
(the client's byte stream rebuilt by sequence number, pcapflows.py) and the data
connections with tshark (when installed), and only then writes into the output directory:

* ``real-<scenario>.pcap`` (Ethernet link type, captured on the server side of the link)
* ``real-<scenario>.truth.json`` (format below)

Exit status: 0 if every requested scenario was recorded; 1 if any failed twice (a failed
scenario is recorded once more before it counts: a loaded machine or the lossy link can
make a real recording fail; the failing scenario's files are not written; the message
says what went wrong); 2 on bad usage or
missing privileges/requirements.

Requirements: root, iproute2 (ip, ss), tcpdump, vsftpd, lftp, curl, Python 3 with
pyftpdlib, ethtool (to turn veth offloads off, so that segments are MTU-sized with
correct checksums), tshark (optional, for the self-check). Missing packages are
installed with apt-get / pip (skipped when present).

Truth format (``format`` = "ftpflow-real-truth", ``format_version`` = 1)::

    {
      "format": "ftpflow-real-truth", "format_version": 1,
      "scenario": "...", "description": "...",
      "pcap": "real-<scenario>.pcap", "pcap_sha256": "...",
      "recording": {"recorded_at", "tool", "tcpdump", "kernel", "link", "offloads_disabled",
                    "capture_interface", "capture_filter", "impairment" (null or its
                    settings and counters), "tcpdump_counters", "connections_closed"},
      "server": {"software", "version", "ip", "port", "banner"},
      "client": {"software", "version", "ip"},
      "user": login name of the (first) successful login,
      "failed_logins": [{"session", "user", "stage": "USER"|"PASS", "reply_code"}],
      "sessions": [            # one per control connection, in the order they opened
        {"index": 1, "client_port": N or null (unknown), "user", "login":
         "success"|"failed"|"none", "login_attempts": [...], "banner",
         "commands": [{"command", "arg", "reply_codes": [..]}],   # every command sent
         "account": "client log" | "client log + QUIT from server log"}],
      "transfers": [           # every transfer command, in order, across sessions
        {"session", "index", "command": RETR|STOR|STOU|APPE|LIST|NLST|MLSD,
         "arg": exactly as sent (null when none), "mode": "active"|"passive",
         "setup": PORT|EPRT|PASV|EPSV, "data_endpoint": {"ip", "port"} (the listening
         end negotiated by the setup), "direction": download|upload|listing,
         "status": complete|aborted|failed, "preliminary_reply_code" (1xx or null),
         "reply_code": final reply to the transfer command,
         "bytes": payload bytes on the data connection, null when none was opened (files: checked against the files
                  on both ends; listings: exact when the client kept the raw listing, else
                  null; failed: 0 when a data connection opened, else null; aborted: null),
         "file": {"size", "sha256"} for complete file transfers (the whole file, equal on
                  both ends; differs from bytes for REST or an APPE),
         optional: "rest" (REST offset sent before), "server_name" (STOU),
         "client_read_bytes" / "abort_replies" (aborted), "note",
         "protected" (PROT P in effect: TLS data connection), "data_connection" (protected:
         {"opened_by", "client_port", "server_port", "wire_bytes": {"client_to_server",
         "server_to_client"}}; never answered: {"opened_by", "answered": false, "syns"}),
         "connected_to" (NAT: where a passive data connection went when the 227 announced
         the server's private address)}],
      optional per session: "tls": {"command", "reply_code", "commands_in_clear"};
      optional: server "private_ip" (behind NAT), "brute_force" / "firewall" / "ftps" /
      "nat" (the scenario's setting)
    }

Passwords appear as the clients sent them (test credentials only).
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import pwd
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # no __pycache__ next to the helper modules

from lab import Lab, LabError, run  # noqa: E402
import pcapflows  # noqa: E402
import wire  # noqa: E402

PY = sys.executable
FORMAT_VERSION = 1
# max_drops: linkemu drops the same segment at most once, so every segment crosses by its
# first retransmission at the latest (a run's duration stays bounded).
IMPAIR = {"loss": 2.0, "reorder": 5.0, "delay_ms": 5.0, "seed": 21, "max_drops": 1}


class Failure(Exception):
    pass


def log(msg):
    print(msg, flush=True)


# -- requirements --------------------------------------------------------------

APT_FOR = {"ip": "iproute2", "ss": "iproute2", "tcpdump": "tcpdump", "vsftpd": "vsftpd",
           "lftp": "lftp", "curl": "curl", "ethtool": "ethtool", "openssl": "openssl",
           "nft": "nftables"}


def ensure_requirements(needs):
    """Install what is missing (apt-get / pip), skipping what is present."""
    missing = sorted({APT_FOR[b] for b in needs if b in APT_FOR and not shutil.which(b)})
    if missing:
        log(f"installing with apt-get: {' '.join(missing)}")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        try:
            run(["apt-get", "install", "-y", "--no-install-recommends"] + missing,
                timeout=600, env=env)
        except LabError:
            run(["apt-get", "update"], timeout=600, env=env)
            run(["apt-get", "install", "-y", "--no-install-recommends"] + missing,
                timeout=600, env=env)
    if "pyftpdlib" in needs:
        cp = run([PY, "-c", "import pyftpdlib"], check=False)
        if cp.returncode != 0:
            log("installing pyftpdlib with pip")
            run([PY, "-m", "pip", "install", "--quiet", "pyftpdlib"], timeout=600)
    for b in needs:
        if b in APT_FOR and b != "ethtool" and not shutil.which(b):
            raise Failure(f"required program {b} is missing and could not be installed")


def version_of(what):
    try:
        if what == "vsftpd":
            # vsftpd prints its version on file descriptor 0.
            cp = subprocess.run(["vsftpd", "-v"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, timeout=10)
            out = cp.stdout
            if "version" not in out:
                cp = subprocess.run("vsftpd -v 0>&1", shell=True, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True, timeout=10)
                out = cp.stdout
            m = re.search(r"version (\S+)", out)
        elif what == "lftp":
            m = re.search(r"Version (\S+)", run(["lftp", "--version"]).stdout)
        elif what == "curl":
            m = re.search(r"^curl (\S+)", run(["curl", "--version"]).stdout)
        elif what == "tcpdump":
            cp = run(["tcpdump", "--version"], check=False)
            m = re.search(r"tcpdump version (\S+)", cp.stdout + cp.stderr)
        elif what == "pyftpdlib":
            m = re.search(r"(\S+)", run([PY, "-c", "import pyftpdlib; print(pyftpdlib.__ver__)"]).stdout)
        elif what == "python":
            m = re.search(r"(\S+)", run([PY, "-c", "import platform; print(platform.python_version())"]).stdout)
        else:
            return None
    except (LabError, OSError, subprocess.TimeoutExpired):
        return None
    return m.group(1) if m else None


# -- files -------------------------------------------------------------------

def make_file(path, size, seed):
    """A file of pseudo-random bytes, the same for the same seed and size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    with open(path, "wb") as fh:
        left = size
        while left:
            n = min(left, 1 << 20)
            fh.write(rng.randbytes(n))
            left -= n
    path.chmod(0o644)
    return path


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def to_json(value, indent=0, width=100):
    """JSON with every container that fits in `width` characters on one line."""
    flat = json.dumps(value)
    if len(flat) + indent <= width or not isinstance(value, (dict, list)) or not value:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k)}: {to_json(v, indent + 2, width)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + to_json(v, indent + 2, width) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


# -- expected transfers ------------------------------------------------------

def X(command, arg, status="complete", mode=None, setup=None, src=None, dst=None,
      dst_dir=None, expect=None, nbytes=None, listing_file=None, note=None, **extra):
    """What the scenario asks the client to do, in the order it does it.

    src: the original file (download: on the server; upload: on the client).
    dst: the copy after the run (download: client; upload: server). STOU: dst_dir, the
         server directory the unique name lands in (read from the 1xx reply).
    expect: bytes dst must hold afterwards (default: src's content).
    nbytes: payload bytes on the data connection (default: size of src minus REST).
    listing_file: a file holding the raw listing bytes, if the client kept them.
    """
    return {"command": command, "arg": arg, "status": status, "mode": mode, "setup": setup,
            "src": src, "dst": dst, "dst_dir": dst_dir, "expect": expect, "nbytes": nbytes,
            "listing_file": listing_file, "note": note, "extra": extra}


# -- servers -----------------------------------------------------------------

def start_vsftpd(ctx, no_anon_password=False, local_login_failure=True, overrides=None):
    """vsftpd in the server namespace, anonymous with uploads into /upload.

    overrides: {option: value} replacing or adding configuration lines (TLS, timeouts,
    the passive port range).

    local_login_failure: local logins are enabled only for the non-existent user
    ``ftpflow-nouser`` (userlist_deny=NO with a list of that name and anonymous), so that a
    wrong login is rejected by PAM at PASS (530 Login incorrect) and no real account can
    ever log in.
    """
    wd = ctx.workdir
    empty = wd / "vsftpd-empty"
    empty.mkdir(mode=0o755)
    root = ctx.srv_root
    try:
        ftp_user = pwd.getpwnam("ftp")
    except KeyError as err:
        raise Failure("vsftpd needs the system user 'ftp' (created by the vsftpd package)") from err
    upload = root / "upload"
    upload.mkdir(exist_ok=True)
    os.chown(upload, ftp_user.pw_uid, ftp_user.pw_gid)
    upload.chmod(0o755)
    for p in upload.iterdir():
        os.chown(p, ftp_user.pw_uid, ftp_user.pw_gid)
    userlist = wd / "vsftpd.userlist"
    userlist.write_text("anonymous\nftp\nftpflow-nouser\n")
    pam_ok = Path("/etc/pam.d/vsftpd").exists()
    local = "YES" if (local_login_failure and pam_ok) else "NO"
    conf = wd / "vsftpd.conf"
    lines = [
        "listen=YES", "listen_ipv6=NO", f"listen_address={ctx.lab.srv_ip4}", "listen_port=21",
        "background=NO", "anonymous_enable=YES", f"local_enable={local}",
        "pam_service_name=vsftpd",
        # With local logins on, only the names listed may even try (see above).
        f"userlist_enable={local}", "userlist_deny=NO", f"userlist_file={userlist}",
        "write_enable=YES", "anon_upload_enable=YES",
        "anon_other_write_enable=YES", "anon_mkdir_write_enable=NO", "anon_umask=022",
        f"anon_root={root}", f"no_anon_password={'YES' if no_anon_password else 'NO'}",
        f"secure_chroot_dir={empty}", "pasv_enable=YES", "pasv_min_port=30000",
        "pasv_max_port=30099", "port_enable=YES", "connect_from_port_20=YES",
        "seccomp_sandbox=NO", "xferlog_enable=YES", f"vsftpd_log_file={wd / 'vsftpd.log'}",
        "log_ftp_protocol=YES", "xferlog_std_format=NO", "dual_log_enable=NO",
        "delay_failed_login=1", "max_login_fails=3", "idle_session_timeout=120",
        "data_connection_timeout=60", "tcp_wrappers=NO", "hide_ids=YES",
    ]
    options = dict(line.split("=", 1) for line in lines)
    options.update(overrides or {})
    conf.write_text("".join(f"{k}={v}\n" for k, v in options.items()))
    conf.chmod(0o600)
    ctx.server_log = wd / "vsftpd.log"
    ctx.server_kind = "vsftpd"
    ctx.lab.start("vsftpd", ["vsftpd", str(conf)], ns="srv")
    ctx.lab.wait_listening(21)
    return {"software": "vsftpd", "version": version_of("vsftpd"), "ip": ctx.lab.srv_ip4,
            "port": 21}


def start_pyftpdlib(ctx, address, user, password):
    logf = ctx.workdir / "pyftpdlib.log"
    ctx.server_log = logf
    ctx.server_kind = "pyftpdlib"
    p = ctx.lab.start("pyftpdlib", [PY, str(HERE / "pyftpd_server.py"), "--address", address,
                                    "--root", str(ctx.srv_root), "--user", user,
                                    "--password", password, "--log", str(logf),
                                    "--max-seconds", "300"], ns="srv")
    deadline = time.monotonic() + 15
    out = ctx.workdir / "pyftpdlib.stdout"
    while time.monotonic() < deadline:
        if out.exists() and out.read_text().startswith("READY"):
            break
        if p.poll() is not None:
            raise Failure(f"pyftpdlib exited ({p.returncode}): "
                          f"{(ctx.workdir / 'pyftpdlib.stderr').read_text()[-1500:]}")
        time.sleep(0.05)
    else:
        raise Failure("pyftpdlib did not report READY within 15s")
    ctx.lab.wait_listening(21)
    return {"software": "pyftpdlib", "version": out.read_text().split()[1], "ip": address,
            "port": 21}


# -- clients -----------------------------------------------------------------

def run_client(ctx, name, cmd, timeout, ok_codes=(0,)):
    cp = run(ctx.lab.ns("cli") + cmd, timeout=timeout, check=False)
    (ctx.workdir / f"{name}.out").write_text(cp.stdout or "")
    (ctx.workdir / f"{name}.err").write_text(cp.stderr or "")
    if cp.returncode not in ok_codes:
        raise Failure(f"{name} exited with {cp.returncode} (expected {ok_codes}):\n"
                      f"{(cp.stderr or '')[-3000:]}")
    return cp


def run_lftp(ctx, commands, timeout=90):
    logf = ctx.workdir / "lftp-debug.log"
    script = ctx.workdir / "client.lftp"
    script.write_text("\n".join([
        "set cmd:fail-exit yes", "set cmd:interactive no",
        "set ftp:ssl-allow no",  # no AUTH TLS attempt: plain FTP only
        "set cache:enable no", "set net:max-retries 2", "set net:timeout 20",
        "set net:reconnect-interval-base 1", "set xfer:clobber yes",
        f"debug -o {logf} 9",
    ] + commands + ["quit", ""]))
    run_client(ctx, "lftp", ["lftp", "-f", str(script)], timeout)
    return wire.lftp_sessions(logf.read_text(errors="replace"))


def run_curl(ctx, args_list, timeout=60):
    """Run curl once per entry of args_list: (name, args, expected exit codes).
    Returns (sessions, left_intact flags) over all runs, in order."""
    sessions, intact = [], []
    for name, args, ok in args_list:
        cp = run_client(ctx, name, ["curl", "-sS", "-v", "--connect-timeout", "10",
                                    "--max-time", "60"] + args, timeout, ok_codes=ok)
        sessions += wire.curl_sessions(cp.stderr)
        intact += wire.curl_left_intact(cp.stderr)
    return sessions, intact


def run_ftplib(ctx, plan, timeout=120):
    planf = ctx.workdir / "ftplib-plan.json"
    planf.write_text(json.dumps(plan, indent=1))
    cp = run_client(ctx, "ftplib", [PY, str(HERE / "ftplib_client.py"), str(planf)], timeout,
                    ok_codes=(0, 1))
    try:
        report = json.loads(cp.stdout)
    except ValueError as err:
        raise Failure(f"ftplib client printed no report: {cp.stderr[-2000:]}") from err
    for i, s in enumerate(report["sessions"], 1):
        if "error" in s:
            raise Failure(f"ftplib session {i}: {s['error']}")
    return report


# -- scenarios ---------------------------------------------------------------

class Ctx:
    def __init__(self, name, index, workdir, lab, impair):
        self.name = name
        self.index = index
        self.workdir = workdir
        self.lab = lab
        self.impair = impair
        self.srv_root = workdir / "srv"
        self.cli_dir = workdir / "cli"
        self.server_log = None
        self.server_kind = None
        self.capture_side = "srv"  # "cli": tcpdump on the client's interface
        self.pcap = None  # the capture file, once recording


def s_vsftpd_lftp(ctx):
    """vsftpd + lftp, anonymous: LIST/RETR over EPSV, STOR over PASV, then active mode
    (PORT): RETR, STOR, NLST."""
    srv, cli = ctx.srv_root, ctx.cli_dir
    down = make_file(srv / "down-100k.bin", 100 * 1024, 101)
    up = make_file(cli / "up-50k.bin", 50 * 1024, 102)
    server = start_vsftpd(ctx)

    def go():
        ctx.start_capture()
        return run_lftp(ctx, [
            f"open -u anonymous,lftp@ftpflow.test ftp://{ctx.lab.srv_ip4}",
            "set ftp:passive-mode on", "set ftp:prefer-epsv yes",
            f"ls > {cli / 'list.txt'}",
            f"get down-100k.bin -o {cli / 'down-100k.bin'}",
            "set ftp:prefer-epsv no",
            f"put {up} -o upload/up-50k.bin",
            "set ftp:passive-mode off",
            f"get down-100k.bin -o {cli / 'down-100k-active.bin'}",
            f"put {up} -o upload/up-50k-active.bin",
            f"nlist > {cli / 'nlist.txt'}",
        ])

    expected = [
        X("LIST", None, mode="passive", setup="EPSV",
          note="lftp prints the listing with CRs removed, so its byte count is not known"),
        X("RETR", "down-100k.bin", mode="passive", setup="EPSV", src=down,
          dst=cli / "down-100k.bin"),
        X("STOR", "upload/up-50k.bin", mode="passive", setup="PASV", src=up,
          dst=srv / "upload/up-50k.bin"),
        X("RETR", "down-100k.bin", mode="active", setup="PORT", src=down,
          dst=cli / "down-100k-active.bin"),
        X("STOR", "upload/up-50k-active.bin", mode="active", setup="PORT", src=up,
          dst=srv / "upload/up-50k-active.bin"),
        X("NLST", None, mode="active", setup="PORT"),
    ]
    return {"server": server, "client": {"software": "lftp", "version": version_of("lftp"),
                                         "ip": ctx.lab.cli_ip4},
            "go": go, "expected": expected, "account": "lftp"}


BULK_MIB = int(os.environ.get("FTPFLOW_BULK_MIB", "300"))


def s_vsftpd_lftp_bulk(ctx):
    """vsftpd + lftp, anonymous, for benchmarks: one large RETR over EPSV (passive) and one
    large STOR over PORT (active), FTPFLOW_BULK_MIB MiB each (default 300). Not part of
    --all (the capture is about 2 x that size)."""
    srv, cli = ctx.srv_root, ctx.cli_dir
    size = BULK_MIB * 1024 * 1024
    down = make_file(srv / "bulk-down.bin", size, 601)
    up = make_file(cli / "bulk-up.bin", size, 602)
    server = start_vsftpd(ctx)

    def go():
        ctx.start_capture()
        return run_lftp(ctx, [
            f"open -u anonymous,lftp@ftpflow.test ftp://{ctx.lab.srv_ip4}",
            # Unlimited, the transfer outruns tcpdump on two cores and it drops packets.
            "set net:limit-rate 50M",
            "set ftp:passive-mode on", "set ftp:prefer-epsv yes",
            f"get bulk-down.bin -o {cli / 'bulk-down.bin'}",
            "set ftp:passive-mode off",
            f"put {up} -o upload/bulk-up.bin",
        ], timeout=600)

    expected = [
        X("RETR", "bulk-down.bin", mode="passive", setup="EPSV", src=down,
          dst=cli / "bulk-down.bin"),
        X("STOR", "upload/bulk-up.bin", mode="active", setup="PORT", src=up,
          dst=srv / "upload/bulk-up.bin"),
    ]
    return {"server": server, "client": {"software": "lftp", "version": version_of("lftp"),
                                         "ip": ctx.lab.cli_ip4},
            "go": go, "expected": expected, "account": "lftp"}


def ftplib_plan_pyftpd(ctx, down, big, up, appe):
    cli = ctx.cli_dir
    return {"host": ctx.lab.srv_ip4, "port": 21, "timeout": 30, "sessions": [
        {"logins": [{"user": "alice", "password": "wrong-password"}], "steps": []},
        {"logins": [{"user": "alice", "password": "alice-pw"}], "steps": [
            {"op": "list", "cmd": "LIST", "passive": True, "save": str(cli / "list.txt")},
            {"op": "retr", "remote": down.name, "local": str(cli / down.name), "passive": True},
            {"op": "stor", "local": str(up), "remote": "up-64k.bin", "passive": True},
            {"op": "retr", "remote": down.name, "local": str(cli / "down-active.bin"),
             "passive": False},
            {"op": "stor", "local": str(up), "remote": "up-64k-active.bin", "passive": False},
            {"op": "list", "cmd": "MLSD", "passive": True, "save": str(cli / "mlsd.txt")},
            {"op": "appe", "local": str(appe), "remote": "up-64k.bin", "passive": True},
            {"op": "stou", "local": str(appe), "passive": False},
            {"op": "retr", "remote": "missing.bin", "local": str(cli / "missing.bin"),
             "passive": True, "expect_error": True},
            {"op": "abort_retr", "remote": big.name, "read": 65536, "passive": True,
             "close_first": False},
            {"op": "list", "cmd": "NLST", "passive": False, "save": str(cli / "nlst.txt")},
        ]}]}


def s_pyftpdlib_ftplib(ctx):
    """pyftpdlib + Python ftplib over IPv4, user/password: a failed login (own control
    connection), LIST/RETR/STOR over PASV, RETR/STOR over PORT, MLSD, APPE, STOU, a RETR
    of a missing file (550), an aborted RETR (ABOR as urgent data while the data
    connection is open: 426 then 226), NLST over PORT."""
    srv, cli = ctx.srv_root, ctx.cli_dir
    down = make_file(srv / "down-200k.bin", 200 * 1024, 201)
    big = make_file(srv / "big-5m.bin", 5 * 1024 * 1024, 202)
    up = make_file(cli / "up-64k.bin", 64 * 1024, 203)
    appe = make_file(cli / "appe-16k.bin", 16 * 1024, 204)
    server = start_pyftpdlib(ctx, ctx.lab.srv_ip4, "alice", "alice-pw")
    plan = ftplib_plan_pyftpd(ctx, down, big, up, appe)
    state = {}

    def go():
        ctx.start_capture()
        state["report"] = run_ftplib(ctx, plan)
        return [s["wire"] for s in state["report"]["sessions"]]

    expected = [
        X("LIST", None, mode="passive", setup="PASV", listing_file=cli / "list.txt"),
        X("RETR", down.name, mode="passive", setup="PASV", src=down, dst=cli / down.name),
        X("STOR", "up-64k.bin", mode="passive", setup="PASV", src=up,
          dst=srv / "up-64k.bin", expect=lambda: up.read_bytes() + appe.read_bytes(),
          note="the server file is checked after the APPE below, as STOR content + APPE content"),
        X("RETR", down.name, mode="active", setup="PORT", src=down, dst=cli / "down-active.bin"),
        X("STOR", "up-64k-active.bin", mode="active", setup="PORT", src=up,
          dst=srv / "up-64k-active.bin"),
        X("MLSD", None, mode="passive", setup="PASV", listing_file=cli / "mlsd.txt"),
        X("APPE", "up-64k.bin", mode="passive", setup="PASV", src=appe, dst=srv / "up-64k.bin",
          expect=lambda: up.read_bytes() + appe.read_bytes()),
        X("STOU", None, mode="active", setup="PORT", src=appe, dst_dir=srv),
        X("RETR", "missing.bin", status="failed", mode="passive", setup="PASV",
          note="ftplib connects to the PASV port before it sends RETR, so a data "
               "connection opens and carries nothing"),
        X("RETR", big.name, status="aborted", mode="passive", setup="PASV",
          note="ftplib abort(): ABOR sent with MSG_OOB (urgent pointer), no Telnet IP/DM, "
               "while the data connection was still open"),
        X("NLST", None, mode="active", setup="PORT", listing_file=cli / "nlst.txt"),
    ]
    return {"server": server, "client": {"software": "python-ftplib",
                                         "version": version_of("python"),
                                         "ip": ctx.lab.cli_ip4},
            "go": go, "expected": expected, "account": "ftplib", "state": state}


CURL_ASCII = ("curl turns CRLF into LF in what it writes for an ASCII-type listing, so the "
              "listing's byte count on the wire is not known from its output")


def s_pyftpdlib_curl_ipv6(ctx):
    """pyftpdlib on IPv6 + curl: a failed login, LIST/RETR/STOR over EPSV, RETR/STOR in
    active mode (EPRT), NLST, and two RETRs on one reused control connection. Each curl
    run is its own control connection."""
    srv, cli = ctx.srv_root, ctx.cli_dir
    down = make_file(srv / "down-300k.bin", 300 * 1024, 301)
    small = make_file(srv / "small-10k.bin", 10 * 1024, 302)
    up = make_file(cli / "up-100k.bin", 100 * 1024, 303)
    server = start_pyftpdlib(ctx, ctx.lab.srv_ip6, "bob", "bob-pw")
    base = f"ftp://[{ctx.lab.srv_ip6}]"
    cred = ["--user", "bob:bob-pw"]
    runs = [
        ("curl-1-badlogin", ["--user", "bob:not-the-password", f"{base}/"], (67,)),
        ("curl-2-list", cred + [f"{base}/", "-o", str(cli / "list.txt")], (0,)),
        ("curl-3-retr", cred + [f"{base}/{down.name}", "-o", str(cli / down.name)], (0,)),
        ("curl-4-stor", cred + ["-T", str(up), f"{base}/up-100k.bin"], (0,)),
        ("curl-5-retr-active", cred + ["-P", "-", f"{base}/{down.name}", "-o",
                                       str(cli / "down-active.bin")], (0,)),
        ("curl-6-stor-active", cred + ["-P", "-", "-T", str(up), f"{base}/up-active.bin"], (0,)),
        ("curl-7-nlst", cred + ["--list-only", f"{base}/", "-o", str(cli / "nlst.txt")], (0,)),
        ("curl-8-two-retr", cred + [f"{base}/{small.name}", "-o", str(cli / small.name),
                                    f"{base}/{down.name}", "-o", str(cli / "down-again.bin")],
         (0,)),
    ]
    state = {}

    def go():
        ctx.start_capture()
        sessions, intact = run_curl(ctx, runs)
        state["left_intact"] = intact
        return sessions

    expected = [
        X("LIST", None, mode="passive", setup="EPSV", note=CURL_ASCII),
        X("RETR", down.name, mode="passive", setup="EPSV", src=down, dst=cli / down.name),
        X("STOR", "up-100k.bin", mode="passive", setup="EPSV", src=up, dst=srv / "up-100k.bin"),
        X("RETR", down.name, mode="active", setup="EPRT", src=down, dst=cli / "down-active.bin"),
        X("STOR", "up-active.bin", mode="active", setup="EPRT", src=up, dst=srv / "up-active.bin"),
        X("NLST", None, mode="passive", setup="EPSV", note=CURL_ASCII),
        X("RETR", small.name, mode="passive", setup="EPSV", src=small, dst=cli / small.name),
        X("RETR", down.name, mode="passive", setup="EPSV", src=down, dst=cli / "down-again.bin"),
    ]
    return {"server": server, "client": {"software": "curl", "version": version_of("curl"),
                                         "ip": ctx.lab.cli_ip6},
            "go": go, "expected": expected, "account": "curl", "state": state}


def s_vsftpd_ftplib_netem(ctx):
    """vsftpd + Python ftplib over a lossy, reordering, delaying link (2% loss, 5%
    reordering, 5 ms delay each way): a failed login then anonymous on the same
    connection, 2 MiB RETR and STOR over PASV, RETR/STOR over PORT, APPE, STOU, MLSD
    (vsftpd: 500), RETR of a missing file (550), an aborted RETR (data connection closed
    first, then ABOR: 426 then 225), NLST over PORT."""
    srv, cli = ctx.srv_root, ctx.cli_dir
    down2m = make_file(srv / "down-2m.bin", 2 * 1024 * 1024, 401)
    down64 = make_file(srv / "down-64k.bin", 64 * 1024, 402)
    big = make_file(srv / "big-5m.bin", 5 * 1024 * 1024, 403)
    up2m = make_file(cli / "up-2m.bin", 2 * 1024 * 1024, 404)
    up64 = make_file(cli / "up-64k.bin", 64 * 1024, 405)
    appe = make_file(cli / "appe-16k.bin", 16 * 1024, 406)
    server = start_vsftpd(ctx, local_login_failure=True)
    plan = {"host": ctx.lab.srv_ip4, "port": 21, "timeout": 60, "sessions": [
        {"logins": [{"user": "ftpflow-nouser", "password": "wrong-password"},
                    {"user": "anonymous", "password": "ftplib@ftpflow.test"}], "steps": [
            {"op": "list", "cmd": "LIST", "passive": True, "save": str(cli / "list.txt")},
            {"op": "retr", "remote": down2m.name, "local": str(cli / down2m.name), "passive": True},
            {"op": "stor", "local": str(up2m), "remote": "upload/up-2m.bin", "passive": True},
            {"op": "retr", "remote": down64.name, "local": str(cli / down64.name), "passive": False},
            {"op": "stor", "local": str(up64), "remote": "upload/up-64k.bin", "passive": False},
            {"op": "appe", "local": str(appe), "remote": "upload/up-64k.bin", "passive": True},
            {"op": "cwd", "path": "upload"},
            {"op": "stou", "local": str(appe), "passive": True},
            {"op": "cwd", "path": "/"},
            {"op": "list", "cmd": "MLSD", "passive": True, "expect_error": True},
            {"op": "retr", "remote": "missing.bin", "local": str(cli / "missing.bin"),
             "passive": False, "expect_error": True},
            {"op": "abort_retr", "remote": big.name, "read": 65536, "passive": True,
             "close_first": True},
            {"op": "list", "cmd": "NLST", "passive": False, "save": str(cli / "nlst.txt")},
        ]}]}
    state = {}

    def go():
        ctx.start_capture()
        state["report"] = run_ftplib(ctx, plan, timeout=180)
        return [s["wire"] for s in state["report"]["sessions"]]

    expected = [
        X("LIST", None, mode="passive", setup="PASV", listing_file=cli / "list.txt"),
        X("RETR", down2m.name, mode="passive", setup="PASV", src=down2m, dst=cli / down2m.name),
        X("STOR", "upload/up-2m.bin", mode="passive", setup="PASV", src=up2m,
          dst=srv / "upload/up-2m.bin"),
        X("RETR", down64.name, mode="active", setup="PORT", src=down64, dst=cli / down64.name),
        X("STOR", "upload/up-64k.bin", mode="active", setup="PORT", src=up64,
          dst=srv / "upload/up-64k.bin", expect=lambda: up64.read_bytes() + appe.read_bytes(),
          note="the server file is checked after the APPE below, as STOR content + APPE content"),
        X("APPE", "upload/up-64k.bin", mode="passive", setup="PASV", src=appe,
          dst=srv / "upload/up-64k.bin", expect=lambda: up64.read_bytes() + appe.read_bytes()),
        X("STOU", None, mode="passive", setup="PASV", src=appe, dst_dir=srv / "upload"),
        X("MLSD", None, status="failed", mode="passive", setup="PASV",
          note="vsftpd does not know MLSD (500); ftplib had already connected to the PASV port"),
        X("RETR", "missing.bin", status="failed", mode="active", setup="PORT"),
        X("RETR", big.name, status="aborted", mode="passive", setup="PASV",
          note="the client closed the data connection (with unread data: RST), then sent "
               "ABOR as urgent data; vsftpd answers the RETR with 426 and the ABOR with 225"),
        X("NLST", None, mode="active", setup="PORT", listing_file=cli / "nlst.txt"),
    ]
    return {"server": server, "client": {"software": "python-ftplib",
                                         "version": version_of("python"),
                                         "ip": ctx.lab.cli_ip4},
            "go": go, "expected": expected, "account": "ftplib", "state": state}


def s_vsftpd_curl_rest(ctx):
    """vsftpd (anonymous, no password asked: 230 right after USER) + curl over IPv4: a
    login refused at USER (anonymous-only server: 530), a resumed download (REST + RETR over EPSV) of a partially downloaded file, the same in
    active mode (EPRT on IPv4), a PASV download (--disable-epsv), and a resumed upload
    (SIZE, then APPE of the missing tail)."""
    srv, cli = ctx.srv_root, ctx.cli_dir
    full = make_file(srv / "resume-1m.bin", 1024 * 1024, 501)
    full2 = make_file(srv / "resume-512k.bin", 512 * 1024, 502)
    small = make_file(srv / "small-20k.bin", 20 * 1024, 503)
    upfull = make_file(cli / "upres-200k.bin", 200 * 1024, 504)
    part1, part2, uppart = 300 * 1024, 100 * 1024, 120 * 1024
    (cli / "resume-1m.bin").write_bytes(full.read_bytes()[:part1])
    (cli / "resume-512k.bin").write_bytes(full2.read_bytes()[:part2])
    (srv / "upload").mkdir()
    (srv / "upload" / "upres-200k.bin").write_bytes(upfull.read_bytes()[:uppart])
    (srv / "upload" / "upres-200k.bin").chmod(0o644)
    server = start_vsftpd(ctx, no_anon_password=True, local_login_failure=False)
    base = f"ftp://{ctx.lab.srv_ip4}"
    cred = ["--user", "anonymous:"]
    runs = [
        ("curl-0-badlogin", ["--user", "ftpflow-nouser:secret", f"{base}/"], (67,)),
        ("curl-1-resume", cred + ["-C", "-", f"{base}/{full.name}", "-o", str(cli / full.name)], (0,)),
        ("curl-2-resume-active", cred + ["-P", "-", "-C", "-", f"{base}/{full2.name}", "-o",
                                         str(cli / full2.name)], (0,)),
        ("curl-3-pasv", cred + ["--disable-epsv", f"{base}/{small.name}", "-o",
                                str(cli / small.name)], (0,)),
        ("curl-4-upload-resume", cred + ["-C", "-", "-T", str(upfull),
                                         f"{base}/upload/{upfull.name}"], (0,)),
    ]
    state = {}

    def go():
        ctx.start_capture()
        sessions, intact = run_curl(ctx, runs)
        state["left_intact"] = intact
        return sessions

    expected = [
        X("RETR", full.name, mode="passive", setup="EPSV", src=full, dst=cli / full.name,
          nbytes=full.stat().st_size - part1),
        X("RETR", full2.name, mode="active", setup="EPRT", src=full2, dst=cli / full2.name,
          nbytes=full2.stat().st_size - part2),
        X("RETR", small.name, mode="passive", setup="PASV", src=small, dst=cli / small.name),
        X("APPE", upfull.name, mode="passive", setup="EPSV", src=upfull,
          dst=srv / "upload" / upfull.name, nbytes=upfull.stat().st_size - uppart,
          note=f"resumed upload: curl sends CWD upload, SIZE (the server had the first "
               f"{uppart} bytes), then APPE with the rest; afterwards the server file equals "
               "the client's"),
    ]
    return {"server": server, "client": {"software": "curl", "version": version_of("curl"),
                                         "ip": ctx.lab.cli_ip4},
            "go": go, "expected": expected, "account": "curl", "state": state}


def s_pyftpdlib_brute_force(ctx):
    """pyftpdlib + Python ftplib, a password-guessing run: five control connections with
    two wrong logins each (unknown users and wrong passwords, 530 at PASS, within a few
    seconds), then a sixth whose login succeeds and downloads a file over PASV."""
    srv, cli = ctx.srv_root, ctx.cli_dir
    loot = make_file(srv / "secrets-8k.bin", 8 * 1024, 701)
    server = start_pyftpdlib(ctx, ctx.lab.srv_ip4, "alice", "alice-pw")
    guesses = [("admin", "admin"), ("admin", "password"), ("root", "root"),
               ("root", "toor"), ("alice", "alice"), ("alice", "123456"),
               ("test", "test"), ("ftp", "ftp"), ("alice", "password"), ("alice", "qwerty")]
    sessions = [{"logins": [{"user": u, "password": pw} for u, pw in guesses[i:i + 2]],
                 "steps": []} for i in range(0, len(guesses), 2)]
    sessions.append({"logins": [{"user": "alice", "password": "alice-pw"}], "steps": [
        {"op": "retr", "remote": loot.name, "local": str(cli / loot.name), "passive": True}]})
    plan = {"host": ctx.lab.srv_ip4, "port": 21, "timeout": 30, "sessions": sessions}
    state = {}

    def go():
        ctx.start_capture()
        state["report"] = run_ftplib(ctx, plan)
        return [s["wire"] for s in state["report"]["sessions"]]

    def extra(truth):
        failed = truth["failed_logins"]
        if len(failed) != len(guesses) or any(f["reply_code"] != 530 for f in failed):
            raise Failure(f"expected {len(guesses)} logins refused with 530, got {failed}")
        return {"brute_force": {
            "failed_logins": len(failed),
            "reply_530": sum(1 for s in truth["sessions"] for c in s["commands"]
                             if 530 in c["reply_codes"]),
            "control_connections": len(truth["sessions"]),
            "users_tried": sorted({f["user"] for f in failed}),
            "successful_user": truth["user"],
            "note": "pyftpdlib answers a wrong login after 0.5 s (auth_failed_timeout)"}}

    expected = [X("RETR", loot.name, mode="passive", setup="PASV", src=loot, dst=cli / loot.name)]
    return {"server": server, "client": {"software": "python-ftplib",
                                         "version": version_of("python"),
                                         "ip": ctx.lab.cli_ip4},
            "go": go, "expected": expected, "account": "ftplib", "state": state,
            "extra_truth": extra}


# Drops every new TCP connection coming into the client: its own connections out (control,
# passive data) are answered as usual; the server's active data connections never arrive.
CLIENT_FIREWALL = """table inet ftpflow_fw {
    chain input {
        type filter hook input priority 0; policy accept;
        ct state new tcp flags & (syn | ack) == syn drop
    }
}
"""


def s_vsftpd_firewall_active(ctx):
    """vsftpd + Python ftplib behind a stateful firewall on the client (nftables: new
    inbound TCP connections dropped). An active RETR (PORT) fails: the server's SYN from
    port 20 is never answered, it retransmits and gives up (425 after vsftpd's
    connect_timeout of 3 s); the same file then downloads over PASV, and a listing too."""
    srv, cli = ctx.srv_root, ctx.cli_dir
    down = make_file(srv / "down-64k.bin", 64 * 1024, 801)
    server = start_vsftpd(ctx, local_login_failure=False, overrides={"connect_timeout": "3"})
    ctx.lab.nft("cli", CLIENT_FIREWALL)
    plan = {"host": ctx.lab.srv_ip4, "port": 21, "timeout": 30, "sessions": [
        {"logins": [{"user": "anonymous", "password": "ftplib@ftpflow.test"}], "steps": [
            {"op": "retr", "remote": down.name, "local": str(cli / "active.bin"),
             "passive": False, "expect_error": True},
            {"op": "retr", "remote": down.name, "local": str(cli / down.name), "passive": True},
            {"op": "list", "cmd": "LIST", "passive": True, "save": str(cli / "list.txt")},
        ]}]}
    state = {}

    def go():
        ctx.start_capture()
        state["report"] = run_ftplib(ctx, plan)
        return [s["wire"] for s in state["report"]["sessions"]]

    def extra(truth):
        first = truth["transfers"][0]
        dc = first.get("data_connection") or {}
        if first["reply_code"] != 425 or (shutil.which("tshark") and (
                dc.get("answered") is not False or dc["syns"] < 2)):
            raise Failure(f"the active RETR should fail with 425 after unanswered SYN "
                          f"retransmissions: {first}")
        return {"firewall": {"where": "client namespace, nftables input hook",
                             "ruleset": CLIENT_FIREWALL,
                             "effect": "the server's active data connection (SYN from port "
                                       "20) is dropped; passive connections from the client "
                                       "work"}}

    expected = [
        X("RETR", down.name, status="failed", mode="active", setup="PORT",
          note="the firewall dropped the server's SYN and its retransmissions; vsftpd gave "
               "up after connect_timeout (3 s): 425"),
        X("RETR", down.name, mode="passive", setup="PASV", src=down, dst=cli / down.name),
        X("LIST", None, mode="passive", setup="PASV", listing_file=cli / "list.txt"),
    ]
    return {"server": server, "client": {"software": "python-ftplib",
                                         "version": version_of("python"),
                                         "ip": ctx.lab.cli_ip4},
            "go": go, "expected": expected, "account": "ftplib", "state": state,
            "extra_truth": extra}


def make_certificate(ctx):
    """A self-signed certificate and key for the test server, made now (never committed)."""
    cert, key = ctx.workdir / "ftps-cert.pem", ctx.workdir / "ftps-key.pem"
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=ftpflow-test-server", "-keyout", str(key), "-out", str(cert)],
        timeout=60)
    key.chmod(0o600)
    return cert, key


def s_vsftpd_ftps_prot_p(ctx):
    """vsftpd with TLS required (ssl_enable, forced for logins and data, self-signed
    certificate made at run time) + Python ftplib.FTP_TLS: AUTH TLS, then (encrypted)
    USER/PASS, PBSZ 0, PROT P, a LIST, a RETR and a STOR over PASV, each data connection
    TLS-protected. The capture shows the commands in clear only up to AUTH TLS; the rest
    of the truth comes from the client's and the server's logs."""
    srv, cli = ctx.srv_root, ctx.cli_dir
    down = make_file(srv / "down-100k.bin", 100 * 1024, 901)
    up = make_file(cli / "up-40k.bin", 40 * 1024, 902)
    cert, key = make_certificate(ctx)
    tls = {"ssl_enable": "YES", "rsa_cert_file": str(cert), "rsa_private_key_file": str(key),
           "allow_anon_ssl": "YES", "force_anon_logins_ssl": "YES",
           "force_anon_data_ssl": "YES", "force_local_logins_ssl": "YES",
           "force_local_data_ssl": "YES", "ssl_tlsv1": "YES", "ssl_sslv2": "NO",
           "ssl_sslv3": "NO",
           # ftplib does not resume the control connection's TLS session on data
           # connections; vsftpd's default cipher (DES-CBC3-SHA) is gone from OpenSSL 3.
           "require_ssl_reuse": "NO", "ssl_ciphers": "HIGH"}
    server = start_vsftpd(ctx, local_login_failure=False, overrides=tls)
    plan = {"host": ctx.lab.srv_ip4, "port": 21, "timeout": 30, "tls": True, "sessions": [
        {"logins": [{"user": "anonymous", "password": "ftplib@ftpflow.test"}], "steps": [
            {"op": "prot_p"},
            {"op": "list", "cmd": "LIST", "passive": True, "save": str(cli / "list.txt")},
            {"op": "retr", "remote": down.name, "local": str(cli / down.name), "passive": True},
            {"op": "stor", "local": str(up), "remote": "upload/up-40k.bin", "passive": True},
        ]}]}
    state = {}

    def go():
        ctx.start_capture()
        state["report"] = run_ftplib(ctx, plan)
        return [s["wire"] for s in state["report"]["sessions"]]

    def extra(truth):
        sess = truth["sessions"][0]
        if not sess.get("tls") or not all(t.get("protected") for t in truth["transfers"]):
            raise Failure("expected a TLS session with every transfer protected (PROT P)")
        return {"ftps": {"kind": "explicit (AUTH TLS)", "certificate": "self-signed, made at "
                         "run time with openssl (not kept)",
                         "data_protection": "PROT P before every transfer",
                         "what_the_capture_shows": "commands and replies in clear up to the "
                         "234 reply to AUTH TLS; after it only TLS records on the control "
                         "connection and on every data connection",
                         "truth_source": "ftplib's lines before encryption, cross-checked "
                         "with vsftpd's protocol log"}}

    expected = [
        X("LIST", None, mode="passive", setup="PASV", listing_file=cli / "list.txt"),
        X("RETR", down.name, mode="passive", setup="PASV", src=down, dst=cli / down.name),
        X("STOR", "upload/up-40k.bin", mode="passive", setup="PASV", src=up,
          dst=srv / "upload/up-40k.bin"),
    ]
    return {"server": server, "client": {"software": "python-ftplib (FTP_TLS)",
                                         "version": version_of("python"),
                                         "ip": ctx.lab.cli_ip4},
            "go": go, "expected": expected, "account": "ftplib", "state": state,
            "extra_truth": extra}


NAT_PASV = (30000, 30009)


def s_vsftpd_nat_passive(ctx):
    """vsftpd behind a NAT router (three namespaces: client, router, server). The router
    forwards its public address's port 21 and the passive range 30000-30009 to the
    server's private address (nftables DNAT, no FTP helper), so the 227 reply announces the
    private address, unchanged. Captured on the client's side. curl (--disable-epsv, so
    PASV; --ftp-skip-pasv-ip) ignores the announced address and connects to the address it
    is talking to: a LIST, a RETR and a STOR, one control connection each, all work. Then
    Python's ftplib, told to trust the 227 address, tries a RETR: its SYN to the private
    address is dropped by the router (only forwarded ports pass), it gives up after 3 s
    without sending RETR, and quits."""
    srv, cli = ctx.srv_root, ctx.cli_dir
    down = make_file(srv / "down-128k.bin", 128 * 1024, 1001)
    up = make_file(cli / "up-32k.bin", 32 * 1024, 1002)
    lab = ctx.lab
    server = start_vsftpd(ctx, local_login_failure=False, overrides={
        "pasv_min_port": str(NAT_PASV[0]), "pasv_max_port": str(NAT_PASV[1])})
    server["private_ip"] = server["ip"]
    server["ip"] = lab.public_ip4
    ruleset = f"""table ip ftpflow_nat {{
    chain prerouting {{
        type nat hook prerouting priority -100; policy accept;
        iifname "{lab.rtr_pub_if}" ip daddr {lab.public_ip4} tcp dport {{ 21, {NAT_PASV[0]}-{NAT_PASV[1]} }} dnat to {lab.srv_ip4}
    }}
    chain forward {{
        type filter hook forward priority 0; policy accept;
        iifname "{lab.rtr_pub_if}" ct status dnat accept
        iifname "{lab.rtr_pub_if}" drop
    }}
}}
"""
    lab.nft("rtr", ruleset)
    ctx.capture_side = "cli"
    base = f"ftp://{lab.public_ip4}"
    cred = ["--user", "anonymous:curl@ftpflow.test", "--disable-epsv", "--ftp-skip-pasv-ip"]
    runs = [
        ("curl-1-list", cred + [f"{base}/", "-o", str(cli / "list.txt")], (0,)),
        ("curl-2-retr", cred + [f"{base}/{down.name}", "-o", str(cli / down.name)], (0,)),
        ("curl-3-stor", cred + ["-T", str(up), f"{base}/upload/{up.name}"], (0,)),
    ]
    state = {}

    # A client that believes the 227: RETR is never sent, the connect fails first.
    trusting = {"host": lab.public_ip4, "port": 21, "timeout": 30, "sessions": [
        {"logins": [{"user": "anonymous", "password": "ftplib@ftpflow.test"}], "steps": [
            {"op": "retr", "remote": down.name, "local": str(cli / "never.bin"),
             "passive": True, "trust_pasv_address": True, "timeout": 3,
             "expect_error": True}]}]}

    def go():
        ctx.start_capture()
        sessions, intact = run_curl(ctx, runs)
        state["left_intact"] = intact
        # Not state["report"]: that one gives every session's client port, and the curl
        # sessions before it have none.
        state["trusting"] = run_ftplib(ctx, trusting)
        return sessions + [s["wire"] for s in state["trusting"]["sessions"]]

    def extra(truth):
        last = truth["sessions"][-1]
        pasv = [c for c in last["commands"] if c["command"] == "PASV"]
        if not pasv or any(c["command"] == "RETR" for c in last["commands"]):
            raise Failure(f"the trusting client should send PASV and no RETR: {last}")
        tried = [(dst, flags) for src, dst, _s, _a, flags, _p
                 in pcapflows.tcp_segments(ctx.pcap) if dst[0] == lab.srv_ip4]
        syns = [d for d, f in tried if f & pcapflows.TCP_SYN]
        if not syns or len(syns) != len(tried) or len({d for d in syns}) != 1:
            raise Failure(f"expected unanswered SYNs to the private address, got {tried}")
        last["note"] = ("ftplib with trust_server_pasv_ipv4_address: it connected to the "
                        "address the 227 announced; the router dropped the SYNs; RETR was "
                        "never sent")
        last["data_connection_attempt"] = {"ip": syns[0][0], "port": syns[0][1],
                                           "syns": len(syns), "answered": False}
        for t in truth["transfers"]:
            if t["data_endpoint"]["ip"] != lab.srv_ip4:
                raise Failure(f"the 227 should announce the private {lab.srv_ip4}: {t}")
            # Where curl really connected: the public address, the announced port.
            t["connected_to"] = {"ip": lab.public_ip4, "port": t["data_endpoint"]["port"]}
        return {"nat": {"router_public_ip": lab.public_ip4, "server_private_ip": lab.srv_ip4,
                        "forwarded_ports": [21, f"{NAT_PASV[0]}-{NAT_PASV[1]}"],
                        "ruleset": ruleset, "pasv_reply_rewritten": False,
                        "capture_side": "client",
                        "client_behaviour": "curl --ftp-skip-pasv-ip: the announced private "
                                            "address is ignored, the data connection goes "
                                            "to the control connection's server address "
                                            "(transfers[].connected_to)"}}

    expected = [
        X("LIST", None, mode="passive", setup="PASV", note=CURL_ASCII),
        X("RETR", down.name, mode="passive", setup="PASV", src=down, dst=cli / down.name),
        X("STOR", f"{up.name}", mode="passive", setup="PASV", src=up,
          dst=srv / "upload" / up.name),
    ]
    return {"server": server, "client": {"software": "curl", "version": version_of("curl"),
                                         "ip": lab.cli_ip4},
            "go": go, "expected": expected, "account": "curl", "state": state,
            "extra_truth": extra}


SCENARIOS = {
    # name: (index, builder, always impaired, programs needed)
    "vsftpd-lftp-passive-active": (1, s_vsftpd_lftp, False, ["vsftpd", "lftp"]),
    "pyftpdlib-ftplib-ipv4": (2, s_pyftpdlib_ftplib, False, ["pyftpdlib"]),
    "pyftpdlib-curl-ipv6": (3, s_pyftpdlib_curl_ipv6, False, ["pyftpdlib", "curl"]),
    "vsftpd-ftplib-netem": (4, s_vsftpd_ftplib_netem, True, ["vsftpd"]),
    "vsftpd-curl-ipv4-rest": (5, s_vsftpd_curl_rest, False, ["vsftpd", "curl"]),
    "vsftpd-lftp-bulk": (6, s_vsftpd_lftp_bulk, False, ["vsftpd", "lftp"]),
    "vsftpd-ftps-prot-p": (7, s_vsftpd_ftps_prot_p, False, ["vsftpd", "openssl"]),
    "pyftpdlib-brute-force": (8, s_pyftpdlib_brute_force, False, ["pyftpdlib"]),
    "vsftpd-firewall-active-dropped": (9, s_vsftpd_firewall_active, False, ["vsftpd", "nft"]),
    "vsftpd-nat-passive": (10, s_vsftpd_nat_passive, False, ["vsftpd", "curl", "nft"]),
}
# Three namespaces (client, router, server) instead of two.
ROUTED = {"vsftpd-nat-passive"}
# Recorded only when named: large captures for benches/run.sh --real.
NOT_IN_ALL = {"vsftpd-lftp-bulk"}


# -- truth ---------------------------------------------------------------------

def server_account(ctx):
    text = ctx.server_log.read_text(errors="replace") if ctx.server_log.exists() else ""
    if ctx.server_kind == "pyftpdlib":
        return wire.pyftpdlib_sessions(text)
    return wire.vsftpd_sessions(text)


def reconcile(ctx, spec, client_sessions):
    """Cross-check the client's account with the server's log, session by session.
    Returns a list of (wire, account label, client_port)."""
    server_sessions = server_account(ctx)
    if len(server_sessions) != len(client_sessions):
        raise Failure(f"client logged {len(client_sessions)} control connections, the server "
                      f"{len(server_sessions)}")
    intact = spec.get("state", {}).get("left_intact")
    report = spec.get("state", {}).get("report")
    out = []
    for i, (cw, sv) in enumerate(zip(client_sessions, server_sessions)):
        cverbs, sverbs = wire.command_verbs(cw), wire.command_verbs(sv["wire"])
        label = "client log"
        cw = list(cw)
        if (spec["account"] == "curl" and intact and i < len(intact) and intact[i]
                and sverbs == cverbs + ["QUIT"]):
            # curl sends QUIT when it closes a connection it left intact, at exit, but its
            # verbose output no longer shows it: take that exchange from the server log.
            idx = [k for k, (d, _) in enumerate(sv["wire"]) if d == ">"][-1]
            cw += sv["wire"][idx:]
            cverbs = wire.command_verbs(cw)
            label = "client log + QUIT from server log"
        if cverbs != sverbs:
            raise Failure(f"session {i + 1}: the client logged commands {cverbs}, the server "
                          f"received {sverbs}")
        port = sv.get("client_port")
        if report:
            port = report["sessions"][i]["client_port"]
            if sv.get("client_port") not in (None, port):
                raise Failure(f"session {i + 1}: client port {port} vs server log "
                              f"{sv['client_port']}")
        out.append((cw, label, port))
    return out


def check_file_transfer(t, e):
    """Check a complete file transfer on both ends; fill bytes and file."""
    dst = e["dst"]
    if dst is None and e["dst_dir"] is not None:
        m = re.search(r"FILE: (\S+)", t.get("preliminary_reply_text") or "")
        if not m:
            raise Failure(f"STOU: no file name in the reply {t.get('preliminary_reply_text')!r}")
        name = m.group(1).rstrip(".")
        dst = e["dst_dir"] / name
        t["server_name"] = name
    if not dst.exists():
        raise Failure(f"{t['command']} {t['arg']}: {dst} does not exist")
    got = dst.read_bytes()
    want = e["expect"]() if callable(e["expect"]) else (e["expect"] or e["src"].read_bytes())
    if sha256_bytes(got) != sha256_bytes(want):
        raise Failure(f"{t['command']} {t['arg']}: {dst} ({len(got)} bytes, sha256 "
                      f"{sha256_bytes(got)[:16]}) differs from the expected content ({len(want)} "
                      f"bytes, sha256 {sha256_bytes(want)[:16]})")
    src = e["src"].read_bytes()
    if e["nbytes"] is not None:
        t["bytes"] = e["nbytes"]
    else:
        t["bytes"] = len(src) - t.get("rest", 0)
    if t["command"] == "APPE":
        # The server file after the append; the payload is its last `bytes` bytes.
        t["file"] = {"size": len(got), "sha256": sha256_bytes(got),
                     "note": "the server file after the append"}
        t["payload_sha256"] = sha256_bytes(got[len(got) - t["bytes"]:])
    else:
        # The file as sent: equal on both ends (for an upload that a later APPE extends,
        # the server file starts with it; checked above).
        t["file"] = {"size": len(src), "sha256": sha256_bytes(src)}


def tls_facts(commands):
    """A session's TLS facts from its commands: (tls, protected) where tls is None or
    {"command", "reply_code", "commands_in_clear"} (the commands up to and including the
    AUTH that got 234; the capture shows only those in clear) and protected is one flag per
    transfer command: PROT P was in effect (its data connection is encrypted too)."""
    tls, protected, prot_p = None, [], False
    for n, c in enumerate(commands, 1):
        ok = any(200 <= code < 300 for code in c["reply_codes"])
        if c["command"] == "AUTH" and tls is None and 234 in c["reply_codes"]:
            tls = {"command": f"AUTH {c['arg']}", "reply_code": 234, "commands_in_clear": n}
        elif c["command"] == "PROT" and ok:
            prot_p = (c["arg"] or "").upper() == "P"
        elif c["command"] in wire.TRANSFER_DIRECTION:
            protected.append(prot_p)
    return tls, protected


def build_truth(ctx, spec, sessions, lab_info):
    truth_sessions, transfers, failed = [], [], []
    for i, (cw, label, port) in enumerate(sessions, 1):
        summary, ts = wire.explain(cw, spec["server"]["ip"])
        truth_sessions.append({"index": i, "client_port": port, **summary, "account": label})
        tls, protected = tls_facts(summary["commands"])
        if tls:
            truth_sessions[-1]["tls"] = tls
        for t, prot in zip(ts, protected):
            if prot:
                t["protected"] = True
        for a in summary["login_attempts"]:
            if a["reply_code"] != 230:
                failed.append({"session": i, **a})
        for t in ts:
            t["session"] = i
            transfers.append(t)
    expected = spec["expected"]
    got_ids = [(t["command"], t["arg"]) for t in transfers]
    want_ids = [(e["command"], e["arg"]) for e in expected]
    if got_ids != want_ids:
        raise Failure(f"transfers on the wire {got_ids}\n  differ from the plan {want_ids}")
    for n, (t, e) in enumerate(zip(transfers, expected), 1):
        t["index"] = n
        what = f"transfer {n} ({t['command']} {t['arg']})"
        for key in ("status", "mode", "setup"):
            if e[key] is not None and t[key] != e[key]:
                raise Failure(f"{what}: {key} is {t[key]!r}, expected {e[key]!r} "
                              f"(reply {t['reply_code']})")
        if t["status"] == "complete":
            if t["direction"] == "listing":
                lf = e["listing_file"]
                t["bytes"] = lf.stat().st_size if lf is not None else None
            else:
                check_file_transfer(t, e)
        elif t["status"] == "failed":
            t["bytes"] = 0
        else:
            t["bytes"] = None
        if e["note"]:
            t["note"] = e["note"]
        t.pop("preliminary_reply_text", None)
    # Aborted transfers: what the client read and the replies it got.
    report = spec.get("state", {}).get("report")
    if report:
        aborts = [s for sess in report["sessions"] for s in sess["steps"]
                  if s["op"] == "abort_retr"]
        aborted = [t for t in transfers if t["status"] == "aborted"]
        for t, s in zip(aborted, aborts):
            t["client_read_bytes"] = s.get("client_read_bytes")
            t["abort_replies"] = [int(r[:3]) for r in s.get("abort_replies", [])]
    ok_users = [s["user"] for s in truth_sessions if s["login"] == "success"]
    server = dict(spec["server"])
    server["banner"] = truth_sessions[0]["banner"] if truth_sessions else None
    ordered = ["session", "index", "command", "arg", "mode", "setup", "data_endpoint",
               "direction", "status", "preliminary_reply_code", "reply_code", "bytes", "file"]
    transfers = [{**{k: t[k] for k in ordered if k in t},
                  **{k: v for k, v in t.items() if k not in ordered}} for t in transfers]
    return {
        "format": "ftpflow-real-truth", "format_version": FORMAT_VERSION,
        "scenario": ctx.name + ("-netem" if lab_info["netem_suffix"] else ""),
        "description": " ".join(spec["doc"].split()),
        "pcap": None, "pcap_sha256": None,
        "recording": lab_info["recording"],
        "server": server, "client": spec["client"],
        "user": ok_users[0] if ok_users else None,
        "failed_logins": failed,
        "sessions": truth_sessions,
        "transfers": transfers,
    }


# -- capture self-check --------------------------------------------------------

def check_commands(pcap, truth):
    """Every command of every session is in the capture, in its control connection.

    The capture point sees every segment the server received (it is on the server's side
    of the link), so the client's byte stream to port 21, rebuilt by sequence number, holds
    every command the server got, whatever the link lost on the way: a command whose first
    copy was lost is there in its retransmission, also when that copy merges several
    segments. The check is made on that stream, not on tshark's FTP dissector, which skips
    a retransmission when it has seen a later sequence number (e.g. a bare ACK sent after
    the lost command) even if it is the only copy. Returns notes."""
    port = truth["server"]["port"]
    conns = [c for c in pcapflows.client_commands(pcap, port) if c[1]]
    if len(conns) != len(truth["sessions"]):
        raise Failure(f"the capture holds commands on {len(conns)} connections to port {port}, "
                      f"the truth has {len(truth['sessions'])} sessions")
    notes = []
    for s, (client, seen, holes, _tail) in zip(truth["sessions"], conns):
        if s["client_port"] is not None and client[1] != s["client_port"]:
            raise Failure(f"session {s['index']}: its control connection in the capture is "
                          f"from port {client[1]}, the truth says {s['client_port']}")
        want = [(c["command"], c["arg"] or "") for c in s["commands"]]
        if s.get("tls"):
            # After AUTH TLS the control connection carries TLS records only.
            k = s["tls"]["commands_in_clear"]
            want = want[:k]
            if seen[:k] != want:
                raise Failure(f"session {s['index']}: the commands in clear before TLS "
                              f"are {seen[:k]}, the client sent {want}")
            notes.append(f"session {s['index']}: {k} command(s) in clear, then TLS")
            continue
        if holes:
            notes.append(f"session {s['index']}: {holes} gap(s) in the client's byte stream")
        if seen == want:
            continue
        missing = [w for w in want if w not in seen]
        if missing:
            raise Failure(f"session {s['index']}: commands missing from the capture: {missing}")
        notes.append(f"session {s['index']}: the capture's command list differs in order or "
                     f"has extras ({len(seen)} vs {len(want)})")
    notes.append(f"capture: every command of {len(conns)} control connection(s) is there")
    return notes


def tshark_check(pcap, truth):
    """Check the capture with tshark: each transfer's data connection and its payload.
    Returns notes and the number of frames tshark flags as retransmitted or reordered."""
    if not shutil.which("tshark"):
        return ["tshark not installed: data connections not self-checked"], None
    notes = check_data_connections(pcap, truth)
    cp = run(["tshark", "-n", "-r", str(pcap), "-Y",
              "tcp.analysis.retransmission || tcp.analysis.out_of_order || "
              "tcp.analysis.lost_segment || tcp.analysis.fast_retransmission", "-T", "fields",
              "-e", "frame.number"], timeout=120)
    anomalies = len(cp.stdout.split())
    notes.append(f"tshark: {anomalies} frames flagged as retransmission/out-of-order/lost segment")
    return notes, anomalies


def check_data_connections(pcap, truth):
    """Find each transfer's data connection in the capture (the connection whose SYN went
    to the negotiated endpoint, from the expected side) and compare the payload it carried
    in the transfer's direction (highest relative sequence number reached, so
    retransmissions do not count twice) with the truth's bytes."""
    cp = run(["tshark", "-n", "-r", str(pcap), "-o", "tcp.relative_sequence_numbers:TRUE",
              "-T", "fields", "-E", "separator=\t", "-e", "tcp.stream", "-e", "ip.src",
              "-e", "ipv6.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "ipv6.dst",
              "-e", "tcp.dstport", "-e", "tcp.flags.syn", "-e", "tcp.flags.ack", "-e", "tcp.seq",
              "-e", "tcp.len"], timeout=180)
    streams = {}
    order = []
    for line in cp.stdout.splitlines():
        f = line.split("\t")
        if len(f) < 11 or not f[0]:
            continue
        sid = int(f[0])
        src = (wire._norm_ip(f[1] or f[2]), int(f[3]))
        dst = (wire._norm_ip(f[4] or f[5]), int(f[6]))
        st = streams.get(sid)
        if st is None:
            st = streams[sid] = {"syn": None, "top": {}, "syns": 0, "answered": False}
            order.append(sid)
        syn = f[7] in ("1", "True")
        ack = f[8] in ("1", "True")
        if syn and not ack and st["syn"] is None:
            st["syn"] = (src, dst)
        if syn and not ack:
            st["syns"] += 1
        if syn and ack:
            st["answered"] = True
        n = int(f[10] or 0)
        if n > 0:
            top = int(f[9]) + n
            st["top"][src] = max(st["top"].get(src, 0), top)
    server_ip = wire._norm_ip(truth["server"]["ip"])
    used = set()
    notes = []
    matched = 0
    for t in truth["transfers"]:
        ep = t.get("data_endpoint")
        if not ep:
            continue
        want = (wire._norm_ip(ep["ip"]), ep["port"])
        private = truth["server"].get("private_ip")
        if t["mode"] == "passive" and private and want[0] == wire._norm_ip(private):
            # Behind NAT the 227 announces the server's private address; a client that
            # ignores it connects to the address of the control connection instead.
            want = (server_ip, ep["port"])
            t["connected_to"] = {"ip": server_ip, "port": ep["port"]}
        for sid in order:
            st = streams[sid]
            if sid in used or st["syn"] is None or st["syn"][1] != want:
                continue
            a, b = st["syn"]  # a connected to b
            server_side, client_side = (b, a) if t["mode"] == "passive" else (a, b)
            sender = client_side if t["direction"] == "upload" else server_side
            carried = max(0, st["top"].get(sender, 1) - 1)
            if t["status"] == "failed" and carried:
                continue
            used.add(sid)
            break
        else:
            if t["status"] in ("complete", "aborted"):
                raise Failure(f"transfer {t['index']} ({t['command']}): no data connection to "
                              f"{want} in the capture")
            # Refused before any data connection opened: nothing was carried, and there is
            # no connection whose bytes could be counted.
            t["bytes"] = None
            t["data_connection"] = False
            continue
        matched += 1
        initiator_is_server = st["syn"][0][0] == server_ip
        if initiator_is_server != (t["mode"] == "active"):
            raise Failure(f"transfer {t['index']}: data connection opened by the wrong side")
        if not st["answered"]:
            # A firewall dropped it: SYN and retransmissions, never a SYN-ACK.
            t["bytes"] = None
            t["data_connection"] = {"opened_by": "server" if initiator_is_server else "client",
                                    "answered": False, "syns": st["syns"]}
            notes.append(f"transfer {t['index']}: {st['syns']} SYN(s), never answered")
            continue
        if t.get("protected"):
            # TLS records: what the wire carried, not the file's size.
            a, b = st["syn"]
            t["data_connection"] = {
                "opened_by": "server" if initiator_is_server else "client",
                "client_port": (b if initiator_is_server else a)[1],
                "server_port": (a if initiator_is_server else b)[1],
                "wire_bytes": {"client_to_server": max(0, st["top"].get(client_side, 1) - 1),
                               "server_to_client": max(0, st["top"].get(server_side, 1) - 1)}}
            continue
        if t["bytes"] is not None and carried != t["bytes"]:
            raise Failure(f"transfer {t['index']} ({t['command']} {t['arg']}): the capture "
                          f"carries {carried} bytes, the truth says {t['bytes']}")
        if t["bytes"] is None:
            notes.append(f"transfer {t['index']} ({t['command']}, {t['status']}): "
                         f"{carried} bytes in the capture (truth: null)")
    notes.append(f"tshark: {matched} data connections matched to transfers by endpoint; "
                 f"payload counts agree with the truth")
    return notes


# -- one scenario ------------------------------------------------------------

# Seconds to wait for every connection to close once the clients are done.
CLOSE_WAIT = 20
CLOSE_WAIT_IMPAIRED = 75
# Times a failed scenario is recorded again: a real recording on a loaded machine (or over
# the lossy link) can fail for reasons that are not ftpflow's; a second failure is reported.
RETRIES = 1

def record(name, out_dir, force_netem=False, keep=False):
    index, builder, impaired, needs = SCENARIOS[name]
    impair = dict(IMPAIR) if (impaired or force_netem) else None
    suffix = force_netem and not impaired
    out_name = f"real-{name}{'-netem' if suffix else ''}"
    workdir = Path(tempfile.mkdtemp(prefix=f"ftpflow-{name}-"))
    workdir.chmod(0o755)
    log(f"== {out_name} (work directory {workdir})")
    t0 = time.monotonic()
    try:
        (workdir / "srv").mkdir(mode=0o755)
        (workdir / "cli").mkdir(mode=0o755)
        pcap_tmp = workdir / "capture.pcap"
        with Lab(index, workdir, impair=impair, log=log, router=name in ROUTED) as lab:
            ctx = Ctx(name, index, workdir, lab, impair)
            ctx.pcap = pcap_tmp
            ctx.start_capture = lambda: lab.start_capture(pcap_tmp, ctx.capture_side)
            spec = builder(ctx)
            spec["doc"] = builder.__doc__
            client_sessions = spec["go"]()
            # Over the lossy emulated link a lost FIN is resent with backed-off timers, and
            # Linux ends an orphaned FIN-WAIT-2 only after tcp_fin_timeout (60 s).
            close_wait = CLOSE_WAIT_IMPAIRED if impair else CLOSE_WAIT
            closed = lab.wait_closed(timeout=close_wait)
            # Stop tcpdump only once the file holds the end of every connection: on SIGINT
            # it writes nothing more of what its buffer still holds.
            unwritten = lab.wait_capture_written(pcap_tmp, timeout=15)
            counters = lab.stop_capture()
            for pname, p in list(lab.procs):
                if pname in ("vsftpd", "pyftpdlib"):
                    lab.stop(p)
        recording = {
            "recorded_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "tool": "scripts/real/record.py",
            "tcpdump": version_of("tcpdump"),
            "kernel": platform.release(),
            "link": "tap+linkemu" if impair else "veth",
            "offloads_disabled": lab.offloads_disabled,
            "capture_interface": (f"{lab.cli_if} in the client namespace"
                                  if ctx.capture_side == "cli"
                                  else f"{lab.srv_if} in the server namespace"),
            "topology": ("client - router (NAT) - server" if lab.router
                         else "client - server"),
            "capture_filter": "tcp",
            "impairment": ({**{k: impair[k] for k in ("loss", "reorder", "delay_ms", "seed",
                                                         "max_drops")},
                            "emulator": "scripts/real/linkemu.py (userspace; sch_netem missing)",
                            "counters": (lab.link_stats or {}).get("directions")}
                           if impair else None),
            "tcpdump_counters": counters,
            "connections_closed": closed,
        }
        if not closed:
            raise Failure(f"connections were still open {close_wait} s after the clients finished")
        if unwritten:
            raise Failure("the capture does not show the end of "
                          f"{len(unwritten)} connection(s) 15 s after every socket closed: "
                          + "; ".join(unwritten[:5]))
        if counters.get("dropped_by_kernel"):
            raise Failure(f"tcpdump reports {counters['dropped_by_kernel']} packets dropped")
        if not pcap_tmp.exists() or pcap_tmp.stat().st_size <= 24:
            raise Failure("the capture is empty")
        sessions = reconcile(ctx, spec, client_sessions)
        truth = build_truth(ctx, spec, sessions, {"recording": recording, "netem_suffix": suffix})
        truth["pcap"] = f"{out_name}.pcap"
        truth["pcap_sha256"] = sha256_file(pcap_tmp)
        notes = check_commands(pcap_tmp, truth)
        more, anomalies = tshark_check(pcap_tmp, truth)
        notes += more
        if spec.get("extra_truth"):
            truth.update(spec["extra_truth"](truth))
        if impair and anomalies == 0:
            notes.append("warning: impaired link but no retransmission or reordering seen")
        out_dir.mkdir(parents=True, exist_ok=True)
        pcap_out = out_dir / f"{out_name}.pcap"
        truth_out = out_dir / f"{out_name}.truth.json"
        shutil.copyfile(pcap_tmp, str(pcap_out) + ".tmp")
        os.replace(str(pcap_out) + ".tmp", pcap_out)
        tmp = Path(str(truth_out) + ".tmp")
        tmp.write_text(to_json(truth) + "\n")
        os.replace(tmp, truth_out)
        for n in notes:
            log("  " + n)
        log(f"  wrote {pcap_out} ({pcap_out.stat().st_size} bytes, "
            f"{counters.get('captured')} packets), {truth_out}: "
            f"{len(truth['sessions'])} sessions, {len(truth['transfers'])} transfers "
            f"in {time.monotonic() - t0:.1f}s")
        return True
    finally:
        if keep:
            log(f"  kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(
        description="Record FTP sessions between real servers and clients, with ground truth.",
        epilog="Scenarios: " + ", ".join(SCENARIOS))
    ap.add_argument("--out", type=Path, default=REPO / "samples",
                    help="output directory (default: samples/ of the repository)")
    ap.add_argument("--scenario", action="append", choices=list(SCENARIOS), default=[])
    ap.add_argument("--all", action="store_true", help="record every scenario")
    ap.add_argument("--netem", action="store_true",
                    help="impair the link (2%% loss, 5%% reordering, 5 ms delay each way); "
                         "outputs get a -netem suffix unless the scenario is always impaired")
    ap.add_argument("--list", action="store_true", help="list the scenarios and exit")
    ap.add_argument("--keep", action="store_true", help="keep the work directories (logs)")
    args = ap.parse_args()

    if args.list:
        for name, (_, builder, impaired, _) in SCENARIOS.items():
            print(f"{name}{' (impaired link)' if impaired else ''}\n    "
                  + " ".join(builder.__doc__.split()))
        return 0
    names = [n for n in SCENARIOS if n not in NOT_IN_ALL] if args.all else args.scenario
    if not names:
        ap.error("give --scenario NAME (repeatable) or --all")
    if os.geteuid() != 0:
        print("record.py must run as root (network namespaces, tcpdump)", file=sys.stderr)
        return 2

    def on_signal(sig, _frm):
        raise KeyboardInterrupt(f"signal {sig}")

    signal.signal(signal.SIGTERM, on_signal)
    needs = {"ip", "ss", "tcpdump", "ethtool"}
    for n in names:
        needs.update(SCENARIOS[n][3])
    try:
        ensure_requirements(needs)
    except (Failure, LabError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    failed = []
    for name in names:
        for attempt in range(1 + RETRIES):
            try:
                record(name, args.out.resolve(), force_netem=args.netem, keep=args.keep)
                break
            except (Failure, LabError) as err:
                last = attempt == RETRIES
                print(f"error: scenario {name} failed: {err}"
                      + ("" if last else f"; recording it again (try {attempt + 2} of {1 + RETRIES})"),
                      file=sys.stderr)
                if last:
                    failed.append(name)
            except KeyboardInterrupt:
                print(f"interrupted during {name}; cleaned up", file=sys.stderr)
                return 1
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
