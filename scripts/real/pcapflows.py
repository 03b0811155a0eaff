"""TCP connections in a pcap file, read without tshark: for record.py's capture checks.

Two questions, both answered from the bytes of the file alone (standard library only):

* ``unfinished(path)``: which connections in the capture do not yet show their end? A
  connection is finished once it holds a RST, or both FINs each acknowledged by the other
  side, or only unanswered SYNs. record.py waits (bounded) until nothing is unfinished before it stops tcpdump:
  once the sockets at both ends are closed, the packets that closed them have passed the
  capture point, and this tells when tcpdump has also written them to the file.
* ``client_commands(path, server_port)``: the lines each client sent on each control
  connection, rebuilt from the byte stream by sequence number. Every copy of a segment
  (original, retransmission, a retransmission that merges several segments) lands at
  its place in the stream, so what the server received is there even when the only copy
  the capture holds is one that a dissector would call a retransmission (tshark does not
  hand those to its FTP dissector, which is why the check no longer relies on it).

Reads classic pcap (either byte order, micro- or nanosecond) with Ethernet frames
(optionally one VLAN tag), IPv4 and IPv6 (skipping the common extension headers). A
record cut short at the end of the file (tcpdump still writing) is ignored.
"""

import struct

LINKTYPE_ETHERNET = 1
IPV6_EXTENSIONS = {0, 43, 60}  # hop-by-hop, routing, destination options
TCP_FIN, TCP_SYN, TCP_RST, TCP_ACK = 0x01, 0x02, 0x04, 0x10
SEQ_SPACE = 1 << 32


class PcapError(Exception):
    pass


def tcp_segments(path):
    """Yield (src, dst, seq, ack, flags, payload) for every TCP segment in the file, with
    src and dst as (ip text, port)."""
    with open(path, "rb") as fh:
        head = fh.read(24)
        if len(head) < 24:
            return
        magic = head[:4]
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            endian = "<"
        elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            endian = ">"
        else:
            raise PcapError(f"{path}: not a classic pcap file")
        linktype = struct.unpack_from(endian + "I", head, 20)[0] & 0x0FFFFFFF
        if linktype != LINKTYPE_ETHERNET:
            raise PcapError(f"{path}: link type {linktype}, expected Ethernet")
        # Record by record, so that a capture of hundreds of megabytes is never in memory.
        while True:
            rec = fh.read(16)
            if len(rec) < 16:
                return
            caplen = struct.unpack_from(endian + "I", rec, 8)[0]
            frame = fh.read(caplen)
            if len(frame) < caplen:
                return  # the record tcpdump is still writing
            seg = _tcp(frame)
            if seg is not None:
                yield seg


def _tcp(frame):
    if len(frame) < 14:
        return None
    etype, ip = struct.unpack_from("!H", frame, 12)[0], 14
    if etype == 0x8100 and len(frame) >= 18:
        etype, ip = struct.unpack_from("!H", frame, 16)[0], 18
    if etype == 0x0800 and len(frame) >= ip + 20:
        ihl = (frame[ip] & 0x0F) * 4
        total = struct.unpack_from("!H", frame, ip + 2)[0]
        if frame[ip + 9] != 6 or ihl < 20:
            return None
        src = ".".join(map(str, frame[ip + 12:ip + 16]))
        dst = ".".join(map(str, frame[ip + 16:ip + 20]))
        tcp, end = ip + ihl, min(len(frame), ip + total)
    elif etype == 0x86DD and len(frame) >= ip + 40:
        nxt, tcp = frame[ip + 6], ip + 40
        end = min(len(frame), tcp + struct.unpack_from("!H", frame, ip + 4)[0])
        while nxt in IPV6_EXTENSIONS and tcp + 8 <= end:
            nxt, tcp = frame[tcp], tcp + (frame[tcp + 1] + 1) * 8
        if nxt != 6:
            return None
        src, dst = _ip6(frame[ip + 8:ip + 24]), _ip6(frame[ip + 24:ip + 40])
    else:
        return None
    if tcp + 20 > end:
        return None
    sport, dport, seq, ack = struct.unpack_from("!HHII", frame, tcp)
    doff = (frame[tcp + 12] >> 4) * 4
    flags = frame[tcp + 13]
    if doff < 20 or tcp + doff > end:
        return None
    return (src, sport), (dst, dport), seq, ack, flags, bytes(frame[tcp + doff:end])


def _ip6(raw):
    import ipaddress
    return str(ipaddress.IPv6Address(bytes(raw)))


def _after(a, b):
    """True if sequence number a is at or after b (modulo 2^32)."""
    return (a - b) % SEQ_SPACE < SEQ_SPACE // 2


def unfinished(path):
    """Connections in the capture whose end it does not show yet, as readable strings."""
    conns = {}
    order = []
    for src, dst, seq, ack, flags, payload in tcp_segments(path):
        key = tuple(sorted((src, dst)))
        c = conns.get(key)
        if c is None:
            c = conns[key] = {"rst": False, "fin_end": {}, "acked": {}, "only_syn": True}
            order.append(key)
        if flags & (TCP_SYN | TCP_ACK) != TCP_SYN or payload:
            c["only_syn"] = False
        if flags & TCP_RST:
            c["rst"] = True
        if flags & TCP_FIN:
            # The FIN takes the sequence number after the payload; its ACK is one past it.
            c["fin_end"][src] = (seq + len(payload) + (1 if flags & TCP_SYN else 0) + 1) % SEQ_SPACE
        if flags & TCP_ACK:
            prev = c["acked"].get(src)
            if prev is None or _after(ack, prev):
                c["acked"][src] = ack
    left = []
    for key in order:
        c = conns[key]
        if c["rst"] or c["only_syn"]:
            # only_syn: an attempt nobody answered (e.g. a firewall dropped it); once the
            # socket that tried has given up (wait_closed), nothing more comes.
            continue
        a, b = key
        done = all(side in c["fin_end"] and other in c["acked"]
                   and _after(c["acked"][other], c["fin_end"][side])
                   for side, other in ((a, b), (b, a)))
        if not done:
            left.append(f"{a[0]}:{a[1]} <-> {b[0]}:{b[1]}")
    return left


def client_streams(path, server_port):
    """The bytes each client sent to server_port, one entry per connection in the order
    the connections first appear: {"client": (ip, port), "data": bytes, "holes": n}."""
    conns = {}
    order = []
    for src, dst, seq, _ack, flags, payload in tcp_segments(path):
        if dst[1] != server_port or src[1] == server_port:
            if src[1] == server_port and (dst, src) not in conns:
                conns[(dst, src)] = {"isn": None, "segments": {}}
                order.append((dst, src))
            continue
        key = (src, dst)
        c = conns.get(key)
        if c is None:
            c = conns[key] = {"isn": None, "segments": {}}
            order.append(key)
        if flags & TCP_SYN:
            c["isn"] = seq
            seq = (seq + 1) % SEQ_SPACE
        if payload:
            # Copies of the same segment collapse; a longer copy (merged retransmission)
            # wins over a shorter one at the same place.
            if len(payload) > len(c["segments"].get(seq, b"")):
                c["segments"][seq] = payload
    out = []
    for key in order:
        c = conns[key]
        segs = c["segments"]
        if c["isn"] is not None:
            base = (c["isn"] + 1) % SEQ_SPACE
        elif segs:
            base = min(segs, key=lambda s: (s - next(iter(segs))) % SEQ_SPACE)
        else:
            base = 0
        stream, holes, cursor = bytearray(), 0, 0
        for rel, payload in sorted(((s - base) % SEQ_SPACE, p) for s, p in segs.items()):
            if rel > cursor:
                holes += 1  # bytes the capture never saw: the lines around them are cut
                cursor = rel
            if rel + len(payload) > cursor:
                stream += payload[cursor - rel:]
                cursor = rel + len(payload)
        out.append({"client": key[0], "data": bytes(stream), "holes": holes})
    return out


def telnet_clean(data):
    """Drop Telnet commands (IAC IP, IAC DM, option negotiation) that a client may send
    on the control connection, e.g. before ABOR; IAC IAC stands for a 0xFF byte."""
    out = bytearray()
    i = 0
    while i < len(data):
        b = data[i]
        if b != 0xFF:
            out.append(b)
            i += 1
            continue
        nxt = data[i + 1] if i + 1 < len(data) else None
        if nxt == 0xFF:
            out.append(0xFF)
            i += 2
        elif nxt in (251, 252, 253, 254):  # WILL, WONT, DO, DONT + option
            i += 3
        else:
            i += 2
    return bytes(out)


def client_commands(path, server_port):
    """Per control connection (in order of appearance): (client, [(VERB, arg)], holes,
    unterminated tail). arg is the text after the first space, "" when none."""
    result = []
    for conn in client_streams(path, server_port):
        text = telnet_clean(conn["data"])
        *lines, tail = text.split(b"\r\n")
        cmds = []
        for raw in lines:
            line = raw.decode("utf-8", errors="replace")
            verb, _, arg = line.partition(" ")
            cmds.append((verb.upper(), arg))
        result.append((conn["client"], cmds, conn["holes"], tail))
    return result
