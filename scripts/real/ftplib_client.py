#!/usr/bin/env python3
"""Drives Python's ftplib as an FTP client for record.py (run inside the client namespace).

Input: a JSON plan file (argument 1). Output: a JSON report on stdout.

Plan::

    {"host": "10.21.2.1", "port": 21, "timeout": 30, "tls": false,
     "sessions": [
       {"logins": [{"user": "alice", "password": "wrong"}],      # tried in order on
        "steps": [...]},                                           # one control connection
       ...]}

With ``"tls": true`` the client is ftplib.FTP_TLS (explicit FTPS): ``AUTH TLS`` before the
first login, the server's certificate not verified (a self-signed test certificate).
Each session opens one control connection, tries its logins in order (a login
that fails is recorded and the next one is tried on the same connection), runs
its steps only if the last login succeeded, then sends QUIT. Steps:

* ``{"op": "list", "cmd": "LIST"|"NLST"|"MLSD", "passive": bool, "save": path}``:
  TYPE A, then the listing command over a data connection; the raw bytes of the
  data connection are saved, so their count is exact. (ftplib's retrlines and
  mlsd send the same commands; they only split the lines.)
* ``{"op": "retr", "remote": name, "local": path, "passive": bool}``: retrbinary.
* ``{"op": "stor"|"appe", "local": path, "remote": name, "passive": bool}``: storbinary
  with ``STOR name`` / ``APPE name``.
* ``{"op": "stou", "local": path, "passive": bool}``: storbinary with a bare ``STOU``.
* ``{"op": "abort_retr", "remote": name, "read": N, "passive": bool, "close_first": bool}``:
  TYPE I, then ntransfercmd(RETR), read N bytes, then ftplib's abort() (ABOR sent as
  urgent data, with MSG_OOB; no Telnet IP/DM) while the data connection is still open, or
  after closing it with close_first; then read the second reply if the first was 426/451.
* ``{"op": "cwd", "path": p}``, ``{"op": "pwd"}``.
* ``{"op": "prot_p"}`` (TLS only): ``PBSZ 0`` then ``PROT P``, so that every later data
  connection is encrypted too.

Any step may carry ``"expect_error": true`` (an error reply is then the expected result;
so is a data connection that cannot be opened, OSError), ``"timeout": seconds`` (for its
data connection) and ``"trust_pasv_address": true`` (connect to the address a 227 reply
announces, as ftplib did before Python 3.6, instead of the control connection's).

The report records, per session, the local port of the control connection and the exact
lines sent and received on it (``[">", line]`` / ``["<", line]``), taken from inside ftplib
(putline/getline/abort), plus the result of every login and step.
"""

import ftplib
import json
import ssl
import sys
import time


class WireFTP(ftplib.FTP):
    """ftplib.FTP that records every control line it sends and receives."""

    def __init__(self, wire, timeout):
        self.wire = wire
        super().__init__(timeout=timeout)

    def putline(self, line):
        self.wire.append([">", line])
        super().putline(line)

    def getline(self):
        line = super().getline()
        self.wire.append(["<", line])
        return line

    def abort(self):
        self.wire.append([">", "ABOR"])
        return super().abort()


class WireFTPTLS(ftplib.FTP_TLS):
    """ftplib.FTP_TLS that records every control line, as WireFTP (the lines as the client
    sent and read them, before encryption)."""

    def __init__(self, wire, timeout):
        self.wire = wire
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the server's certificate is a test one
        super().__init__(timeout=timeout, context=context)

    def putline(self, line):
        self.wire.append([">", line])
        super().putline(line)

    def getline(self):
        line = super().getline()
        self.wire.append(["<", line])
        return line

    def abort(self):
        self.wire.append([">", "ABOR"])
        return super().abort()


def run_step(ftp, step):
    op = step["op"]
    res = {"op": op}
    if "passive" in step:
        ftp.set_pasv(bool(step["passive"]))
    ftp.trust_server_pasv_ipv4_address = bool(step.get("trust_pasv_address"))
    ftp.timeout = step.get("timeout", ftp.session_timeout)
    if op == "list":
        ftp.sendcmd("TYPE A")
        data = bytearray()
        with ftp.transfercmd(step["cmd"]) as conn:
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
        res["reply"] = ftp.voidresp()
        res["bytes"] = len(data)
        if step.get("save"):
            with open(step["save"], "wb") as fh:
                fh.write(data)
    elif op == "retr":
        n = 0
        with open(step["local"], "wb") as fh:
            def sink(chunk):
                nonlocal n
                n += len(chunk)
                fh.write(chunk)
            res["reply"] = ftp.retrbinary("RETR " + step["remote"], sink)
        res["bytes"] = n
    elif op in ("stor", "appe"):
        with open(step["local"], "rb") as fh:
            res["reply"] = ftp.storbinary(f"{op.upper()} {step['remote']}", fh)
    elif op == "stou":
        with open(step["local"], "rb") as fh:
            res["reply"] = ftp.storbinary("STOU", fh)
    elif op == "abort_retr":
        ftp.voidcmd("TYPE I")
        conn, size = ftp.ntransfercmd("RETR " + step["remote"])
        res["announced_size"] = size
        got = 0
        deadline = time.monotonic() + 20
        try:
            while got < step["read"] and time.monotonic() < deadline:
                chunk = conn.recv(min(65536, step["read"] - got))
                if not chunk:
                    break
                got += len(chunk)
            res["client_read_bytes"] = got
            if step.get("close_first"):
                conn.close()
            first = ftp.abort()
            res["abort_replies"] = [first]
        finally:
            conn.close()
        if first[:3] in ("426", "451"):
            res["abort_replies"].append(ftp.getresp())
        res["reply"] = res["abort_replies"][-1]
    elif op == "cwd":
        res["reply"] = ftp.cwd(step["path"])
    elif op == "pwd":
        res["reply"] = ftp.pwd()
    elif op == "prot_p":
        res["reply"] = ftp.prot_p()
    else:
        raise ValueError(f"unknown step {op!r}")
    return res


def run_session(plan, sess):
    wire = []
    out = {"wire": wire, "logins": [], "steps": [], "client_port": None}
    cls = WireFTPTLS if plan.get("tls") else WireFTP
    ftp = cls(wire, plan.get("timeout", 30))
    ftp.session_timeout = ftp.timeout
    try:
        ftp.connect(plan["host"], plan.get("port", 21))
        out["client_port"] = ftp.sock.getsockname()[1]
        logged_in = False
        for attempt in sess["logins"]:
            try:
                reply = ftp.login(attempt["user"], attempt["password"])
                out["logins"].append({"user": attempt["user"], "ok": True, "reply": reply})
                logged_in = True
            except ftplib.error_perm as err:
                out["logins"].append({"user": attempt["user"], "ok": False, "reply": str(err)})
                logged_in = False
        if logged_in:
            for step in sess.get("steps", []):
                try:
                    res = run_step(ftp, step)
                    res["ok"] = True
                except (ftplib.error_perm, ftplib.error_temp, OSError) as err:
                    res = {"op": step["op"], "ok": False, "reply": str(err)}
                res["expected"] = res["ok"] != bool(step.get("expect_error", False))
                out["steps"].append(res)
                if not res["expected"]:
                    out["error"] = f"step {step} gave {res}"
                    break
        out["quit_reply"] = ftp.quit()
    except (OSError, EOFError, ftplib.Error) as err:
        out["error"] = f"{type(err).__name__}: {err}"
        try:
            ftp.close()
        except OSError:
            pass
    return out


def main():
    with open(sys.argv[1], encoding="utf-8") as fh:
        plan = json.load(fh)
    report = {"python": sys.version.split()[0], "sessions": []}
    for sess in plan["sessions"]:
        report["sessions"].append(run_session(plan, sess))
        if "error" in report["sessions"][-1]:
            break
    json.dump(report, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 1 if any("error" in s for s in report["sessions"]) else 0


if __name__ == "__main__":
    sys.exit(main())
