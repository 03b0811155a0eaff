#!/usr/bin/env python3
"""Compares ftpflow's JSON report with a generated capture's summary.

Usage: ftpflow analyze --format json CAPTURE | benches/check.py CAPTURE.summary.json

The report of a 100,000-session capture is over a gigabyte, so it is read as a stream:
the top-level keys in the order they come, the "sessions" array one session at a time
(each decoded on its own and dropped), so memory stays at one session. Prints `key=value`
lines for benches/run.sh: `verdict=ok` or `verdict=MISMATCH`, one `mismatch=...` line
per difference, then figures from ftpflow's capture record (peak_connections, evictions).
"""

import json
import sys

CHUNK = 1 << 20
DECODER = json.JSONDecoder()


class Stream:
    """A text stream with a window that grows on demand and is trimmed as it is used."""

    def __init__(self, f):
        self.f = f
        self.buf = ""
        self.pos = 0
        self.eof = False

    def more(self) -> bool:
        if self.eof:
            return False
        data = self.f.read(CHUNK)
        if not data:
            self.eof = True
            return False
        self.buf = self.buf[self.pos:] + data
        self.pos = 0
        return True

    def find(self, needle: str) -> bool:
        """Moves just past the next occurrence of needle."""
        while True:
            i = self.buf.find(needle, self.pos)
            if i >= 0:
                self.pos = i + len(needle)
                return True
            # Keep a tail in case the needle straddles two chunks.
            self.pos = max(self.pos, len(self.buf) - len(needle))
            if not self.more():
                return False

    def skip_space_and(self, chars: str) -> str:
        """Skips whitespace and any of chars; returns the next character ('' at the end)."""
        while True:
            while self.pos < len(self.buf) and (self.buf[self.pos].isspace() or self.buf[self.pos] in chars):
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    def value(self):
        """Decodes the JSON value at the current position."""
        while True:
            try:
                v, end = DECODER.raw_decode(self.buf, self.pos)
                self.pos = end
                return v
            except json.JSONDecodeError:
                if not self.more():
                    raise


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        want = json.load(f)

    s = Stream(sys.stdin)
    capture = None
    sessions = 0
    transfers = 0
    nbytes = 0
    status = {}
    mode = {}
    try:
        # The top-level keys in whatever order they come; "sessions" is streamed.
        if s.skip_space_and("") != "{":
            raise ValueError("the output is not a JSON object")
        s.pos += 1
        while s.skip_space_and(",") not in ("}", ""):
            key = s.value()
            s.skip_space_and(":")
            if key != "sessions":
                v = s.value()
                if key == "capture":
                    capture = v
                continue
            if s.skip_space_and("") != "[":
                raise ValueError("sessions is not an array")
            s.pos += 1
            while s.skip_space_and(",") not in ("]", ""):
                sess = s.value()
                sessions += 1
                for t in sess.get("transfers", []):
                    transfers += 1
                    nbytes += t.get("bytes") or 0
                    status[t.get("status")] = status.get(t.get("status"), 0) + 1
                    mode[t.get("mode")] = mode.get(t.get("mode"), 0) + 1
            s.pos += 1
        # Read to the end, so ftpflow is not cut off by a closed pipe.
        while s.more():
            s.pos = len(s.buf)
    except (json.JSONDecodeError, ValueError) as e:
        print("verdict=MISMATCH")
        print(f"mismatch=ftpflow's JSON does not parse ({e}); did it crash?")
        return 0

    mismatches = []

    def expect(name, got, wanted):
        if got != wanted:
            mismatches.append(f"{name}: ftpflow {got}, generator {wanted}")

    if capture is None:
        print("verdict=MISMATCH")
        print("mismatch=no capture object in ftpflow's output (did it crash?)")
        return 0
    wt = want["transfers"]
    expect("ftp_sessions", capture.get("ftp_sessions"), want["ftp_sessions"])
    expect("sessions listed", sessions, want["ftp_sessions"])
    expect("tcp_connections", capture.get("tcp_connections"), want["tcp_connections"])
    expect("data_connections", capture.get("data_connections"), want["data_connections"])
    expect("unlinked_data_connections", capture.get("unlinked_data_connections"), 0)
    expect("packets", capture.get("packets"), want["packets"])
    expect("transfers", transfers, wt["total"])
    expect("transfer_bytes", nbytes, wt["bytes"])
    for st in ("complete", "failed", "aborted"):
        expect(f"transfers_{st}", status.get(st, 0), wt[st])
    for m in ("active", "passive"):
        expect(f"transfers_{m}", mode.get(m, 0), wt[m])

    tcp = capture.get("tcp", {})
    bounds = capture.get("bounds", {})
    out = ["verdict=" + ("MISMATCH" if mismatches else "ok")]
    out += [f"mismatch={m}" for m in mismatches]
    out.append(f"peak_connections={tcp.get('peak_connections', 0)}")
    out.append(f"evicted_by_bound={bounds.get('connections_evicted', 0)}")
    out.append(f"idle_timeouts={tcp.get('idle_timeouts', 0)}")
    out.append(f"expectations_evicted={bounds.get('expectations_evicted', 0)}")
    out.append(f"transfers={transfers}")
    out.append(f"transfer_bytes={nbytes}")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
