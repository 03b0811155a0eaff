#!/usr/bin/env python3
"""Fills fuzz/corpus/<target>/ with seeds cut from real captures.

Captures come from samples/ (committed) and, when present, ../shared/corpus and
../shared/corpus-public beside the repository (or the folders in $FTPFLOW_SEED_DIRS,
colon-separated). Nothing is copied into the repository's tracked files: fuzz/corpus/ is
ignored by git. Each target gets seeds in its own input layout (see the comment at the top
of each target in fuzz/fuzz_targets/):

  capture_reader  the capture file, cut at a record boundary to at most MAX_FILE bytes
  pipeline        8 option bytes (a different format and bounds per capture) + the same
  decode_frame    [link][limits] + [len u16][ts step][cut] records of the capture's frames
  ftp_parsers     [family] + command lines, reply lines, addresses, reply texts, raw streams
  ftp_session     8 option bytes + [ctl][len][bytes] records of each control connection

Seeds are named by content hash, so running it again adds nothing twice.
"""

import gzip
import hashlib
import os
import re
import struct
import sys
from pathlib import Path

MAX_FILE = 64 * 1024
ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
LINKS = {1: 0, 113: 1, 276: 2, 0: 3, 108: 4, 12: 5, 14: 5, 101: 5, 228: 6, 229: 7}


def capture_paths():
    dirs = os.environ.get("FTPFLOW_SEED_DIRS")
    if dirs:
        folders = [Path(d) for d in dirs.split(":") if d]
    else:
        folders = [ROOT / "samples", ROOT.parent / "shared" / "corpus",
                   ROOT.parent / "shared" / "corpus-public"]
    for folder in folders:
        if folder.is_dir():
            for p in sorted(folder.iterdir()):
                if re.search(r"\.(pcap|pcapng)(\.gz)?$", p.name):
                    yield p


def records(raw):
    """(header bytes, [(record bytes, dlt, frame bytes)]) for pcap and pcapng; [] if neither."""
    if len(raw) < 24:
        return raw, []
    magic = raw[:4]
    out = []
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = "<" if magic[0] in (0xD4, 0x4D) else ">"
        dlt = struct.unpack(e + "I", raw[20:24])[0] & 0xFFFF
        at = 24
        while at + 16 <= len(raw):
            incl = struct.unpack(e + "I", raw[at + 8:at + 12])[0]
            end = at + 16 + incl
            if end > len(raw):
                break
            out.append((raw[at:end], dlt, raw[at + 16:end]))
            at = end
        return raw[:24], out
    if magic == b"\x0a\x0d\x0d\x0a":
        e = "<" if raw[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
        at, links, header = 0, [], b""
        while at + 12 <= len(raw):
            kind, length = struct.unpack(e + "II", raw[at:at + 8])
            if length < 12 or at + length > len(raw):
                break
            block = raw[at:at + length]
            if kind == 0x0A0D0D0A:
                links = []
            if kind == 1:
                links.append(struct.unpack(e + "H", block[8:10])[0])
            if kind in (0x0A0D0D0A, 1) and not out:
                header += block
            elif kind == 6 and length >= 32:
                iface, _, _, cap = struct.unpack(e + "IIII", block[8:24])
                dlt = links[iface] if iface < len(links) else 1
                out.append((block, dlt, block[28:28 + cap]))
            elif kind != 0x0A0D0D0A and kind != 1:
                out.append((block, None, None))
            at += length
        return header, out
    return raw, []


def cut_file(raw):
    """The file cut at a record boundary to at most MAX_FILE bytes."""
    header, recs = records(raw)
    if not recs:
        return raw[:MAX_FILE]
    out = bytearray(header)
    for rec, _, _ in recs:
        if len(out) + len(rec) > MAX_FILE:
            break
        out += rec
    return bytes(out)


def tcp_payload(dlt, frame):
    """(src, sport, dst, dport, seq, payload) of an unfragmented IPv4/IPv6 TCP frame, else None."""
    if dlt == 1:
        et, at = frame[12:14], 14
        if et == b"\x81\x00":
            et, at = frame[16:18], 18
    elif dlt == 113:
        et, at = frame[14:16], 16
    elif dlt == 276:
        et, at = frame[0:2], 20
    elif dlt in (0, 108):
        et, at = None, 4
    else:
        et, at = None, 0
    ip = frame[at:]
    if not ip:
        return None
    if (ip[0] >> 4) == 4 and et in (None, b"\x08\x00"):
        ihl = (ip[0] & 15) * 4
        if len(ip) < ihl + 20 or ip[9] != 6:
            return None
        total = struct.unpack(">H", ip[2:4])[0]
        src, dst, tcp = ip[12:16], ip[16:20], ip[ihl:total]
    elif (ip[0] >> 4) == 6 and et in (None, b"\x86\xdd"):
        if len(ip) < 60 or ip[6] != 6:
            return None
        src, dst, tcp = ip[8:24], ip[24:40], ip[40:40 + struct.unpack(">H", ip[4:6])[0]]
    else:
        return None
    if len(tcp) < 20:
        return None
    sport, dport, seq = struct.unpack(">HHI", tcp[:8])
    return src, sport, dst, dport, seq, tcp[(tcp[12] >> 4) * 4:]


def write(target, data):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / hashlib.sha1(data).hexdigest()
    if not path.exists():
        path.write_bytes(data)


def main():
    counts = {}
    option_sets = [bytes(8), b"\x02" + bytes(7), b"\x03" + bytes(7), b"\x01" + bytes(7),
                   bytes([0x06, 16, 1, 8, 8, 0x21, 0x22, 0x22]),
                   bytes([0x83, 32, 0x42, 0, 1, 0x11, 0x11, 0x11])]
    for n, path in enumerate(capture_paths()):
        raw = path.read_bytes()
        plain = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
        cut = cut_file(plain)
        if raw[:2] == b"\x1f\x8b":
            # The gzip reader too: a compressed copy of the cut file.
            write("capture_reader", gzip.compress(cut, mtime=0))
        write("capture_reader", cut)
        write("pipeline", option_sets[n % len(option_sets)] + cut)
        _, recs = records(plain)
        frames = [(dlt, f) for _, dlt, f in recs if f is not None and dlt in LINKS]
        # Frames: in runs of 24 from a few places in the capture.
        for start in range(0, len(frames), max(24, len(frames) // 4)):
            run = frames[start:start + 24]
            if not run:
                continue
            seed = bytearray([LINKS[run[0][0]], 0x3F])
            for dlt, f in run:
                if dlt == run[0][0]:
                    seed += struct.pack(">HBB", len(f), 1, 0) + f
            write("decode_frame", bytes(seed))
        # Control connections: payloads by direction, in capture order, duplicates dropped.
        convs = {}
        for dlt, f in frames:
            t = tcp_payload(dlt, f)
            if not t or not t[5] or not ({21, 990} & {t[1], t[3]}):
                continue
            src, sport, dst, dport, seq, payload = t
            server = sport in (21, 990)
            key = (dst, dport, src, sport) if server else (src, sport, dst, dport)
            conv = convs.setdefault(key, {"seen": set(), "parts": []})
            if (server, seq) in conv["seen"]:
                continue
            conv["seen"].add((server, seq))
            conv["parts"].append((server, payload))
        for conv in list(convs.values())[:8]:
            parts = conv["parts"]
            script = bytearray(option_sets[n % len(option_sets)])
            for server, payload in parts:
                for i in range(0, len(payload), 255):
                    piece = payload[i:i + 255]
                    script += bytes([int(server), len(piece)]) + piece
            write("ftp_session", bytes(script[:MAX_FILE]))
            client = b"".join(p for s, p in parts if not s)
            replies = b"".join(p for s, p in parts if s)
            write("ftp_parsers", b"\x00\x40\x05" + client[:4096])
            write("ftp_parsers", b"\x00\xff\x00" + replies[:4096])
            write("ftp_parsers", b"\x01" + client[:4096])
            write("ftp_parsers", b"\x02\x07\x80" + replies[:4096])
            for line in (client + b"\n" + replies).split(b"\n"):
                line = line.rstrip(b"\r")
                verb = line[:5].upper()
                if verb in (b"PORT ", b"EPRT ", b"LPRT "):
                    write("ftp_parsers", b"\x03" + line[5:])
                elif line[:4] in (b"227 ", b"228 ", b"229 "):
                    write("ftp_parsers", b"\x03" + line[4:])
                elif line[:4] in (b"150 ", b"125 ", b"213 ", b"257 ", b"226 ", b"250 "):
                    write("ftp_parsers", b"\x04" + line[4:])
    # Directory listings (family 5; the next byte picks LIST, NLST or MLSD): each layout.
    write("ftp_parsers", b"\x05\x00" + b"total 8\r\ndrwxr-xr-x 2 0 0 4096 Nov 05 16:20 d\r\n"
          b"lrwxrwxrwx 1 0 0 3 Dec 19  2005 l -> t\r\ncrw-rw-rw- 1 0 0 1,  3 Jan 01  2020 null\r\n")
    write("ftp_parsers", b"\x05\x00" + b"06-25-19  02:02AM       <DIR>          d\r\n"
          b"10-27-13 10:21PM                38470 f.jpg\r\n")
    write("ftp_parsers", b"\x05\x01" + b"a\r\nb c\r\n")
    write("ftp_parsers", b"\x05\x02" + b"type=file;size=2;modify=20180323094013;perm=rwd; f\r\n"
          b"type=cdir; /\r\n")
    for target in ("capture_reader", "pipeline", "decode_frame", "ftp_parsers", "ftp_session", "tcp_reassembly"):
        folder = CORPUS / target
        folder.mkdir(parents=True, exist_ok=True)
        counts[target] = len(list(folder.iterdir()))
    print("seed corpus: " + ", ".join(f"{t} {c}" for t, c in counts.items()))


if __name__ == "__main__":
    sys.exit(main())
