#!/usr/bin/env python3
"""Compares ftpflow's JSON report of a recorded capture with the recording's truth.

Usage: ftpflow analyze --format json CAPTURE | benches/check_truth.py CAPTURE.truth.json

The truth is what scripts/real/record.py wrote next to the capture (the clients' and
servers' own accounts, files checked with sha256). Compared, transfer by transfer in
order over all sessions: command, argument, mode, data-setup command, data endpoint,
direction, status, final reply code and payload bytes (when the truth knows them); and
the number of sessions. Prints one line saying what agreed and exits 0, or one line per
difference and exits 1.
"""

import json
import sys

FIELDS = ("command", "arg", "mode", "setup", "data_endpoint", "direction", "status",
          "reply_code", "bytes")


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        truth = json.load(f)
    try:
        report = json.load(sys.stdin)
    except ValueError as err:
        print(f"ftpflow's output is not JSON: {err}")
        return 1
    problems = []
    sessions = sorted(report.get("sessions", []), key=lambda s: s.get("id", 0))
    if len(sessions) != len(truth["sessions"]):
        problems.append(f"{len(sessions)} sessions, the truth has {len(truth['sessions'])}")
    got = [t for s in sessions for t in s.get("transfers", [])]
    want = truth["transfers"]
    if len(got) != len(want):
        problems.append(f"{len(got)} transfers, the truth has {len(want)}")
    for i, (g, w) in enumerate(zip(got, want), 1):
        for field in FIELDS:
            if field == "bytes" and w.get("bytes") is None:
                continue
            if g.get(field) != w.get(field):
                problems.append(f"transfer {i} ({w['command']}): {field} is {g.get(field)!r}, "
                                f"the truth says {w.get(field)!r}")
    if problems:
        for p in problems:
            print(p)
        return 1
    total = sum(w["bytes"] or 0 for w in want)
    print(f"ftpflow's output matches the recording's truth: {len(sessions)} session(s), "
          f"{len(want)} transfers ({', '.join(FIELDS)}; {total} payload bytes).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
