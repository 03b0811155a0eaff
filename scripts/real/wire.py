"""Control-channel accounts for record.py: read client and server logs, explain them.

Input: the lines a client or a server logged for each control connection. Output: per
session, the commands with their replies (paired the way an FTP analyser must pair
them), the login attempts, and the transfers in ftpflow's vocabulary (command, arg,
mode, setup, negotiated data endpoint, direction, replies, status).

Readers (each returns a list of sessions; a session is a list of ``[">", line]`` for a
line the client sent and ``["<", line]`` for a line it received):

* ``lftp_sessions``: lftp's ``debug`` log (``---> CMD``, ``<--- reply``; a control
  connection starts at ``---- Connecting to HOST (...) port 21``).
* ``curl_sessions``: ``curl -v`` standard error (``> CMD``, ``< reply``; a control
  connection starts at ``*   Trying HOST:21...``). curl 7.88 does not log the QUIT it
  sends when it closes a connection it left intact; record.py adds it from the server log.
* the ftplib driver reports ``wire`` lists directly.
* ``pyftpdlib_sessions`` / ``vsftpd_sessions``: the servers' protocol logs, used to
  cross-check the client's account (the commands the server received must be the ones the
  client logged) and, for pyftpdlib, to learn the client's control port.

Rules of ``explain``: replies are matched first-in first-out to the commands still
waiting; a 1xx reply is preliminary and leaves its command waiting; a multi-line reply
(``NNN-`` ... ``NNN ``) is one reply. A data-setup command (PORT/EPRT/LPRT/PASV/EPSV/LPSV)
with a 2xx reply is used by the next transfer command only. A transfer is ``complete``
with a preliminary reply and a final 226/250, ``aborted`` when it had a preliminary reply,
no 226/250, and the client sent ABOR while waiting for the final reply, ``failed``
otherwise (no preliminary reply, or an error after it without ABOR), ``incomplete``
without a final reply.
"""

import ipaddress
import re
from collections import deque

SETUP_MODE = {"PORT": "active", "EPRT": "active", "LPRT": "active",
              "PASV": "passive", "EPSV": "passive", "LPSV": "passive"}
TRANSFER_DIRECTION = {"RETR": "download", "STOR": "upload", "STOU": "upload",
                      "APPE": "upload", "LIST": "listing", "NLST": "listing",
                      "MLSD": "listing"}
REPLY_RE = re.compile(r"^(\d{3})([ -])(.*)$")


# -- readers -----------------------------------------------------------------

def lftp_sessions(text, port=21):
    sessions = []
    cur = None
    start = re.compile(rf"^---- Connecting to .* port {port}$")
    for line in text.splitlines():
        if start.match(line):
            cur = []
            sessions.append(cur)
        elif cur is None:
            continue
        elif line.startswith("---> "):
            cur.append([">", line[5:]])
        elif line.startswith("<--- "):
            cur.append(["<", line[5:]])
    return sessions


def curl_sessions(text, port=21):
    sessions = []
    cur = None
    start = re.compile(rf"^\*\s+Trying .*:{port}\.\.\.$")
    for line in text.splitlines():
        if start.match(line):
            cur = []
            sessions.append(cur)
        elif cur is None:
            continue
        elif line.startswith("> "):
            cur.append([">", line[2:]])
        elif line.startswith("< "):
            cur.append(["<", line[2:]])
    return sessions


def curl_left_intact(text):
    """Per control connection of one curl run: did curl leave it open at the end
    (so that it sends QUIT at exit)?"""
    result = []
    start = re.compile(r"^\*\s+Trying .*:21\.\.\.$")
    for line in text.splitlines():
        if start.match(line):
            result.append(False)
        elif result and "left intact" in line:
            result[-1] = True
        elif result and line.startswith("* Closing connection"):
            result[-1] = False
    return result


_PYFTPD_LINE = re.compile(r"^\S+ \S+ \w+ (\S+):(\d+)-\[[^\]]*\] (<-|->) (.*)$")
_PYFTPD_OPEN = re.compile(r"^\S+ \S+ \w+ (\S+):(\d+)-\[[^\]]*\] FTP session opened")


def pyftpdlib_sessions(text):
    """pyftpdlib's DEBUG log -> [{"client_ip", "client_port", "wire": [...]}] in the
    order the sessions opened. The server logs PASS arguments as ``******``."""
    by_key = {}
    order = []
    for line in text.splitlines():
        m = _PYFTPD_OPEN.match(line)
        if m:
            key = (m.group(1), int(m.group(2)))
            by_key[key] = {"client_ip": key[0], "client_port": key[1], "wire": []}
            order.append(key)
            continue
        m = _PYFTPD_LINE.match(line)
        if m:
            key = (m.group(1), int(m.group(2)))
            if key not in by_key:
                by_key[key] = {"client_ip": key[0], "client_port": key[1], "wire": []}
                order.append(key)
            by_key[key]["wire"].append([">" if m.group(3) == "<-" else "<", m.group(4)])
    return [by_key[k] for k in order]


_VSFTPD_LINE = re.compile(r'\[pid \d+\] (?:\[[^\]]*\] )?(CONNECT|FTP command|FTP response): '
                          r'Client "([^"]*)"(?:, "(.*)")?$')


def vsftpd_sessions(text):
    """vsftpd's log (log_ftp_protocol=YES) -> [{"client_ip", "wire"}]; sessions are
    split at CONNECT, so they must not overlap in time (record.py runs them one by one).
    vsftpd logs PASS arguments as ``<password>``."""
    sessions = []
    for line in text.splitlines():
        m = _VSFTPD_LINE.search(line)
        if not m:
            continue
        kind, ip, payload = m.groups()
        if kind == "CONNECT":
            sessions.append({"client_ip": ip, "client_port": None, "wire": []})
        elif sessions:
            for part in (payload or "").split("\\r\\n"):
                if part:
                    sessions[-1]["wire"].append([">" if kind == "FTP command" else "<", part])
    return sessions


# -- explanation -------------------------------------------------------------

def pair(wire):
    """Match replies to commands. Returns (greeting_replies, commands)."""
    greeting = []
    commands = []
    pending = deque()
    multi_code = None
    multi_lines = []

    def finish(code, lines):
        reply = {"code": code, "text": lines[0][4:] if len(lines[0]) > 4 else ""}
        if len(lines) > 1:
            reply["lines"] = len(lines)
        if not pending:
            greeting.append(reply)
            return
        cmd = pending[0]
        cmd["replies"].append(reply)
        if code >= 200:
            pending.popleft()

    for direction, line in wire:
        if direction == ">":
            verb, sep, arg = line.partition(" ")
            cmd = {"command": verb.upper(), "arg": arg if sep else None, "replies": []}
            if cmd["command"] == "ABOR":
                for waiting in pending:
                    if waiting["command"] in TRANSFER_DIRECTION and waiting["replies"]:
                        waiting["abort_sent"] = True
            commands.append(cmd)
            pending.append(cmd)
            continue
        if multi_code is not None:
            multi_lines.append(line)
            m = REPLY_RE.match(line)
            if m and m.group(1) == multi_code and m.group(2) == " ":
                finish(int(multi_code), multi_lines)
                multi_code, multi_lines = None, []
            continue
        m = REPLY_RE.match(line)
        if not m:
            continue
        if m.group(2) == "-":
            multi_code, multi_lines = m.group(1), [line]
            continue
        finish(int(m.group(1)), [line])
    return greeting, commands


def final_reply(cmd):
    for r in cmd["replies"]:
        if r["code"] >= 200:
            return r
    return None


def preliminary_reply(cmd):
    for r in cmd["replies"]:
        if r["code"] < 200:
            return r
    return None


def _norm_ip(text):
    return str(ipaddress.ip_address(text))


def data_endpoint(cmd, server_ip):
    """The listening endpoint a data-setup command negotiated, or None."""
    verb, arg = cmd["command"], cmd["arg"] or ""
    final = final_reply(cmd)
    if final is None or not 200 <= final["code"] < 300:
        return None
    try:
        if verb == "PORT":
            n = [int(x) for x in arg.split(",")]
            return {"ip": ".".join(map(str, n[:4])), "port": n[4] * 256 + n[5]}
        if verb == "EPRT":
            d = arg[0]
            _, _af, ip, port, _ = arg.split(d)
            return {"ip": _norm_ip(ip), "port": int(port)}
        if verb == "PASV":
            m = re.search(r"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", final["text"])
            n = [int(x) for x in m.groups()]
            return {"ip": ".".join(map(str, n[:4])), "port": n[4] * 256 + n[5]}
        if verb == "EPSV":
            m = re.search(r"\((.)\1\1(\d+)\1\)", final["text"])
            return {"ip": _norm_ip(server_ip), "port": int(m.group(2))}
    except (ValueError, AttributeError, IndexError):
        return None
    return None


def explain(wire, server_ip):
    """One control connection's wire lines -> session facts and transfers."""
    greeting, commands = pair(wire)
    attempts = []
    transfers = []
    setup = None
    rest = None
    for cmd in commands:
        verb = cmd["command"]
        final = final_reply(cmd)
        code = final["code"] if final else None
        if verb == "USER":
            attempts.append({"user": cmd["arg"], "reply_code": code, "stage": "USER"})
            continue
        if verb == "PASS" and attempts:
            attempts[-1]["reply_code"] = code
            attempts[-1]["stage"] = "PASS"
            continue
        if verb in SETUP_MODE:
            if code is not None and 200 <= code < 300:
                setup = cmd
            continue
        if verb == "REST":
            if code == 350:
                try:
                    rest = int(cmd["arg"])
                except (TypeError, ValueError):
                    rest = None
            continue
        if verb in TRANSFER_DIRECTION:
            prelim = preliminary_reply(cmd)
            t = {"command": verb, "arg": cmd["arg"],
                 "mode": SETUP_MODE[setup["command"]] if setup else None,
                 "setup": setup["command"] if setup else None,
                 "data_endpoint": data_endpoint(setup, server_ip) if setup else None,
                 "direction": TRANSFER_DIRECTION[verb],
                 "preliminary_reply_code": prelim["code"] if prelim else None,
                 "preliminary_reply_text": prelim["text"] if prelim else None,
                 "reply_code": code}
            if rest is not None:
                t["rest"] = rest
            if final is None:
                t["status"] = "incomplete"
            elif prelim and code in (226, 250):
                t["status"] = "complete"
            elif prelim and cmd.get("abort_sent"):
                t["status"] = "aborted"
            else:
                t["status"] = "failed"
            transfers.append(t)
            setup = None
            rest = None
    for a in attempts:
        a["ok"] = a["reply_code"] == 230
    ok = [a for a in attempts if a["ok"]]
    summary = {
        "banner": f"{greeting[0]['code']} {greeting[0]['text']}" if greeting else None,
        "user": ok[-1]["user"] if ok else (attempts[-1]["user"] if attempts else None),
        "login": "success" if ok else ("failed" if attempts else "none"),
        "login_attempts": [{"user": a["user"], "stage": a["stage"], "reply_code": a["reply_code"]}
                           for a in attempts],
        "commands": [{"command": c["command"], "arg": c["arg"],
                      "reply_codes": [r["code"] for r in c["replies"]]} for c in commands],
    }
    return summary, transfers


def command_verbs(wire):
    return [line.partition(" ")[0].upper() for d, line in wire if d == ">"]
