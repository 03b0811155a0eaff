#!/usr/bin/env python3
"""Reads ftpflow's `--zeek-logs` with existing Zeek log readers and checks them against
ftpflow's own JSON report of the same capture (driven by tests/zeek_logs.rs).

    zeek_check.py CASE...

Each CASE folder holds `report.json` (`--format json`), `report.jsonl` (`--format jsonl`),
`tsv/` (the TSV logs of the first run) and `json/` (`--zeek-json` logs of the second).

TSV: every header line as Zeek writes it, `#fields` as Zeek's own ftp/conn/files logs,
every cell typed as its `#types` line says; then the logs are read by zat
(`ZeekLogReader(strict=True)` and `LogToDataFrame`) and parsezeeklogs (`read_zeek`, an
error on any bad line), and the row counts agree with the report (commands Zeek logs,
control and data connections, transfers with data). JSON: the `--zeek-json` logs and
the JSON Lines are loaded into DuckDB with `read_json_auto`, and the bytes transferred per
user, queried there, equal those of the report.
Prints every problem and exits 1 if there is any.
"""

import ipaddress
import json
import os
import re
import sys

import duckdb
import parsezeeklogs
from zat import zeek_log_reader
from zat.log_to_dataframe import LogToDataFrame

# Zeek's own field lists (Zeek 6/7: base/protocols/ftp, conn and files logs).
FIELDS = {
    "ftp": "ts uid id.orig_h id.orig_p id.resp_h id.resp_p user password command arg "
    "mime_type file_size reply_code reply_msg data_channel.passive data_channel.orig_h "
    "data_channel.resp_h data_channel.resp_p fuid",
    "conn": "ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto service duration "
    "orig_bytes resp_bytes conn_state local_orig local_resp missed_bytes history orig_pkts "
    "orig_ip_bytes resp_pkts resp_ip_bytes tunnel_parents",
    "files": "ts fuid uid id.orig_h id.orig_p id.resp_h id.resp_p source depth analyzers "
    "mime_type filename duration local_orig is_orig seen_bytes total_bytes missing_bytes "
    "overflow_bytes timedout parent_fuid md5 sha1 sha256 extracted extracted_cutoff "
    "extracted_size",
}
LOGGED = {"APPE", "DELE", "RETR", "STOR", "STOU", "ACCT", "PORT", "PASV", "EPRT", "EPSV"}
FILE_COMMANDS = {"RETR", "STOR", "APPE", "STOU"}
DECIMAL6 = re.compile(r"^-?\d+\.\d{6}$")
HEADER_TIME = re.compile(r"^\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d$")


def cell_ok(value, ztype):
    """Whether one raw TSV cell is a value of `ztype` as Zeek writes it."""
    if value == "-":
        return True
    if ztype in ("time", "interval"):
        return bool(DECIMAL6.match(value))
    if ztype == "count":
        return value.isdigit()
    if ztype == "port":
        return value.isdigit() and int(value) <= 65535
    if ztype == "addr":
        try:
            ipaddress.ip_address(value)
            return True
        except ValueError:
            return False
    if ztype == "bool":
        return value in ("T", "F")
    if ztype == "enum":
        return bool(re.match(r"^[A-Za-z_:]+$", value))
    if ztype in ("string", "set[string]"):
        return value != "" and all(0x20 <= ord(c) < 0x7F for c in value)
    return False


def check_tsv_file(path, name, problems):
    """Header, field names and cell types of one TSV log; its rows as raw cells."""
    with open(path, encoding="ascii", errors="strict") as f:
        lines = f.read().split("\n")
    if lines[-1] != "":
        problems.append(f"{path}: no line end at the end")
    lines = lines[:-1]
    want = ["#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)", "#unset_field\t-",
            f"#path\t{name}"]
    if lines[:5] != want:
        problems.append(f"{path}: header {lines[:5]!r}, want {want!r}")
    if not (lines[5].startswith("#open\t") and HEADER_TIME.match(lines[5][6:])):
        problems.append(f"{path}: bad #open line {lines[5]!r}")
    if not (lines[-1].startswith("#close\t") and HEADER_TIME.match(lines[-1][7:])):
        problems.append(f"{path}: bad #close line {lines[-1]!r}")
    fields = lines[6].split("\t")
    types = lines[7].split("\t")
    if fields[0] != "#fields" or fields[1:] != FIELDS[name].split():
        problems.append(f"{path}: fields {fields[1:]} are not Zeek's {FIELDS[name].split()}")
    if types[0] != "#types" or len(types) != len(fields):
        problems.append(f"{path}: #types {types!r} do not match #fields")
    rows = []
    for n, line in enumerate(lines[8:-1], start=9):
        cells = line.split("\t")
        if len(cells) != len(fields) - 1:
            problems.append(f"{path}:{n}: {len(cells)} cells for {len(fields) - 1} fields")
            continue
        for field, ztype, value in zip(fields[1:], types[1:], cells):
            if not cell_ok(value, ztype):
                problems.append(f"{path}:{n}: {field} = {value!r} is not a {ztype}")
        rows.append(dict(zip(fields[1:], cells)))
    return rows, dict(zip(fields[1:], types[1:]))


def check_readers(path, rows, types, problems):
    """zat and parsezeeklogs read every row, each value typed as its field."""
    try:
        read = list(zeek_log_reader.ZeekLogReader(path, strict=True).readrows())
    except Exception as e:  # noqa: BLE001 - any failure of the reader is the finding
        problems.append(f"{path}: zat's ZeekLogReader failed: {e!r}")
        read = None
    if read is not None and len(read) != len(rows):
        problems.append(f"{path}: zat read {len(read)} rows, the file has {len(rows)}")
    if rows:
        try:
            df = LogToDataFrame().create_dataframe(path, ts_index=False)
            if len(df) != len(rows):
                problems.append(f"{path}: zat's dataframe has {len(df)} rows, not {len(rows)}")
            for field, ztype in types.items():
                kind = df[field].dtype.kind
                want = {"time": "M", "interval": "m", "count": "iuf", "port": "iuf"}.get(ztype)
                if want and kind not in want:
                    problems.append(f"{path}: zat typed {field} ({ztype}) as {df[field].dtype}")
        except Exception as e:  # noqa: BLE001
            problems.append(f"{path}: zat's LogToDataFrame failed: {e!r}")

    def on_error(line_number, line, exc):
        problems.append(f"{path}:{line_number}: parsezeeklogs: {exc!r}")

    records = list(parsezeeklogs.read_zeek(path, on_error=on_error))
    if len(records) != len(rows):
        problems.append(f"{path}: parsezeeklogs read {len(records)} rows, not {len(rows)}")
    py = {"count": int, "port": int, "time": float, "interval": float, "bool": bool,
          "string": str, "enum": str, "addr": str, "set[string]": list}
    for n, rec in enumerate(records):
        for field, ztype in types.items():
            v = rec.get(field)
            if v is not None and not isinstance(v, py[ztype]):
                problems.append(f"{path}: row {n}: parsezeeklogs gave {field} = {v!r}, not {ztype}")


def expected_counts(report):
    """Rows the report says each log must have."""
    ftp = conn = files = 0
    for s in report["sessions"]:
        ftp += sum(1 for c in s["commands"] if c["command"] in LOGGED and not c.get("inferred"))
        conn += 1
        data_ids = set()
        for t in s["transfers"]:
            d = t.get("data")
            if d is None:
                continue
            data_ids.add(d["id"])
            if (t.get("bytes") or 0) > 0 and not t.get("encrypted"):
                files += 1
        conn += len(data_ids)
    conn += len(report.get("unlinked_data_connections", []))
    return {"ftp": ftp, "conn": conn, "files": files}


def check_tsv(case, report, problems):
    logs = {}
    for name in ("ftp", "conn", "files"):
        path = os.path.join(case, "tsv", f"{name}.log")
        rows, types = check_tsv_file(path, name, problems)
        check_readers(path, rows, types, problems)
        logs[name] = rows
    for name, want in expected_counts(report).items():
        if len(logs[name]) != want:
            problems.append(f"{case}: {name}.log has {len(logs[name])} rows, the report says {want}")
    services = {r["uid"]: r["service"] for r in logs["conn"]}
    if len(services) != len(logs["conn"]):
        problems.append(f"{case}: conn.log repeats a uid")
    fuids = {r["fuid"] for r in logs["files"]}
    for r in logs["ftp"]:
        if services.get(r["uid"]) != "ftp":
            problems.append(f"{case}: ftp.log uid {r['uid']} is no ftp connection of conn.log")
        if r["fuid"] != "-" and r["fuid"] not in fuids:
            problems.append(f"{case}: ftp.log fuid {r['fuid']} is not in files.log")
        if r["password"] not in ("-", "<hidden>"):
            problems.append(f"{case}: a password shows without --show-passwords: {r['password']!r}")
        if r["command"] in FILE_COMMANDS and not r["arg"].startswith("ftp://"):
            problems.append(f"{case}: {r['command']} arg {r['arg']!r} is not Zeek's ftp:// URL")
    for r in logs["files"]:
        if services.get(r["uid"]) != "ftp-data":
            problems.append(f"{case}: files.log uid {r['uid']} is no ftp-data connection")


def report_bytes_per_user(report):
    """Bytes of file transfers per user at the time of the command (Zeek's `user`)."""
    out = {}
    for s in report["sessions"]:
        transfers = {t["id"]: t for t in s["transfers"]}
        user = "<unknown>"
        for c in s["commands"]:
            if c.get("inferred"):
                continue
            if c["command"] == "USER":
                user = c.get("arg") or ""
            t = transfers.get(c.get("transfer"))
            if (c["command"] in FILE_COMMANDS and t and t.get("data")
                    and not t.get("encrypted") and (t.get("bytes") or 0) > 0):
                out[user] = out.get(user, 0) + t["bytes"]
    return out


def report_bytes_per_session_user(report):
    """Bytes of downloads and uploads per session user (what the JSON Lines say)."""
    out = {}
    for s in report["sessions"]:
        for t in s["transfers"]:
            if t["direction"] in ("download", "upload") and (t.get("bytes") or 0) > 0:
                user = s.get("user") or "<none>"
                out[user] = out.get(user, 0) + t["bytes"]
    return out


def columns(con, table):
    return {row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()}


def check_duckdb(case, report, problems):
    con = duckdb.connect()
    ftp = os.path.join(case, "json", "ftp.log")
    files = os.path.join(case, "json", "files.log")
    got = {}
    if os.path.getsize(ftp) and os.path.getsize(files):
        con.execute(f"CREATE TABLE ftp AS SELECT * FROM read_json_auto('{ftp}')")
        con.execute(f"CREATE TABLE files AS SELECT * FROM read_json_auto('{files}')")
        if "fuid" in columns(con, "ftp"):
            got = dict(con.execute(
                "SELECT f.user, sum(x.seen_bytes) FROM ftp f JOIN files x ON f.fuid = x.fuid "
                "WHERE f.command IN ('RETR', 'STOR', 'APPE', 'STOU') GROUP BY f.user"
            ).fetchall())
    want = report_bytes_per_user(report)
    if {k: int(v) for k, v in got.items()} != want:
        problems.append(f"{case}: DuckDB over the Zeek JSON logs: bytes per user {got}, report {want}")
        
    jsonl = os.path.join(case, "report.jsonl")
    con.execute(f"CREATE TABLE j AS SELECT * FROM read_json_auto('{jsonl}', sample_size=-1)")
    have = columns(con, "j")
    got = {}
    if {"direction", "bytes", "user"} <= have:
        got = dict(con.execute(
            "SELECT coalesce(s.user, '<none>'), sum(t.bytes) FROM j t JOIN j s "
            "ON t.session = s.session AND s.type = 'session' "
            "WHERE t.type = 'transfer' AND t.direction IN ('download', 'upload') AND t.bytes > 0 "
            "GROUP BY 1"
        ).fetchall())
    want = report_bytes_per_session_user(report)
    if {k: int(v) for k, v in got.items()} != want:
        problems.append(f"{case}: DuckDB over the JSON Lines: bytes per user {got}, report {want}")


def main():
    problems = []
    cases = sys.argv[1:]
    for case in cases:
        with open(os.path.join(case, "report.json")) as f:
            report = json.load(f)
        check_tsv(case, report, problems)
        check_duckdb(case, report, problems)
    for p in problems:
        print(p)
    print(f"zeek_check: {len(cases)} captures, {len(problems)} problems")
    sys.exit(1 if problems or not cases else 0)


if __name__ == "__main__":
    main()
