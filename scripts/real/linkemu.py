#!/usr/bin/env python3
"""A lossy, reordering, delaying Ethernet link between two network namespaces.

Used by record.py for ``--netem`` because the kernel it was written on has no
``sch_netem`` (``tc qdisc add ... netem`` fails with "Specified qdisc kind is
unknown") and cannot load modules. Instead of a veth pair, this process owns
two TAP devices, one created inside each namespace, and copies Ethernet frames
between them, applying netem-like impairment to TCP frames only:

* ``--loss P``: drop a TCP frame with probability P percent;
* ``--delay-ms D``: hold every other TCP frame for D milliseconds;
* ``--reorder R``: send R percent of TCP frames at once instead of holding
  them, so that they overtake the frames still held (netem's ``reorder``
  semantics: it needs a delay to have any effect).

Non-TCP frames (ARP, neighbour discovery) pass unchanged and at once. The
impairment applies independently in both directions, each with its own random
generator seeded from ``--seed`` and the direction: the n-th TCP frame in a
direction meets the same drop/reorder decision in every run with that seed,
whatever the other direction does (which frame is the n-th still depends on the
TCP timing, which is not reproducible).

``--max-drops`` (default 1) bounds how often the same segment is dropped: a
segment is known by its addresses, ports, sequence number, payload length and
SYN/FIN flags (plus the acknowledgement number for a bare ACK), and once it has
been dropped that many times its copies pass. Every segment thus gets through
by its first or second copy, so recovery takes at most one retransmission
timeout and a run's duration stays bounded.

Protocol with the parent: prints ``READY`` on stdout once both TAP devices
exist (the parent then assigns addresses and brings them up); runs until
SIGTERM or SIGINT, or until ``--max-seconds``; then writes a JSON line of
counters to ``--stats FILE`` and exits 0. Standard library only; setns(2) is
called through ctypes because Python 3.11 has no os.setns.
"""

import argparse
import ctypes
import fcntl
import heapq
import json
import os
import random
import select
import signal
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
ETH_P_IPV4 = 0x0800
ETH_P_IPV6 = 0x86DD
ETH_P_VLAN = 0x8100
IPPROTO_TCP = 6
MAX_QUEUE = 20000  # frames held at once, across both directions
MAX_TRACKED = 200000  # dropped-segment identities remembered (then forgotten at once)


def setns(path):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns({path}): {os.strerror(err)}")
    finally:
        os.close(fd)


def open_tap(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    ifr = struct.pack("16sH22x", name.encode(), IFF_TAP | IFF_NO_PI)
    fcntl.ioctl(fd, TUNSETIFF, ifr)
    return fd


def is_tcp(frame):
    """True for an Ethernet frame carrying IPv4 or IPv6 TCP (no extension headers)."""
    if len(frame) < 14:
        return False
    off = 12
    etype = struct.unpack_from("!H", frame, off)[0]
    if etype == ETH_P_VLAN and len(frame) >= 18:
        off += 4
        etype = struct.unpack_from("!H", frame, off)[0]
    ip = off + 2
    if etype == ETH_P_IPV4 and len(frame) >= ip + 20:
        return frame[ip + 9] == IPPROTO_TCP
    if etype == ETH_P_IPV6 and len(frame) >= ip + 40:
        return frame[ip + 6] == IPPROTO_TCP
    return False


def segment_identity(frame):
    """What stays the same between a TCP segment and its retransmissions (not the IP ID,
    checksum or timestamp option), or None for a frame that is not parsed."""
    off = 12
    etype = struct.unpack_from("!H", frame, off)[0]
    if etype == ETH_P_VLAN and len(frame) >= 18:
        off += 4
        etype = struct.unpack_from("!H", frame, off)[0]
    ip = off + 2
    if etype == ETH_P_IPV4:
        ihl = (frame[ip] & 0x0F) * 4
        total = struct.unpack_from("!H", frame, ip + 2)[0]
        addrs, tcp, end = frame[ip + 12:ip + 20], ip + ihl, ip + total
    else:
        # IPv6 without extension headers (is_tcp accepted it only then).
        addrs, tcp = frame[ip + 8:ip + 40], ip + 40
        end = tcp + struct.unpack_from("!H", frame, ip + 4)[0]
    if tcp + 20 > min(end, len(frame)):
        return None
    ports_seq = frame[tcp:tcp + 8]
    ack = frame[tcp + 8:tcp + 12]
    doff = (frame[tcp + 12] >> 4) * 4
    flags = frame[tcp + 13] & 0x07  # FIN, SYN, RST
    payload = max(0, min(end, len(frame)) - tcp - doff)
    bare_ack = payload == 0 and not flags
    return (bytes(addrs), bytes(ports_seq), payload, flags, bytes(ack) if bare_ack else b"")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ns-a", required=True, help="path of namespace A, e.g. /run/netns/NAME")
    ap.add_argument("--ns-b", required=True)
    ap.add_argument("--tap-a", required=True, help="TAP device name inside namespace A")
    ap.add_argument("--tap-b", required=True)
    ap.add_argument("--loss", type=float, default=0.0, help="percent")
    ap.add_argument("--reorder", type=float, default=0.0, help="percent")
    ap.add_argument("--delay-ms", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--max-drops", type=int, default=1,
                    help="drop the same segment at most this many times")
    ap.add_argument("--stats", required=True, help="file to write the counters to")
    ap.add_argument("--max-seconds", type=float, default=600.0)
    args = ap.parse_args()

    stop = {"flag": False}

    def on_signal(_sig, _frm):
        stop["flag"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    setns(args.ns_a)
    fd_a = open_tap(args.tap_a)
    setns(args.ns_b)
    fd_b = open_tap(args.tap_b)
    print("READY", flush=True)

    # One generator per direction, so that one direction's traffic does not shift the
    # other's decisions.
    rngs = {fd_a: random.Random(f"{args.seed}/a_to_b"), fd_b: random.Random(f"{args.seed}/b_to_a")}
    drops = {}  # segment identity -> times dropped
    delay = args.delay_ms / 1000.0
    peer = {fd_a: fd_b, fd_b: fd_a}
    names = {fd_a: "a_to_b", fd_b: "b_to_a"}
    stats = {d: {"frames": 0, "tcp": 0, "dropped": 0, "sent_early": 0, "delayed": 0,
                 "write_errors": 0, "queue_full": 0, "spared": 0}
             for d in names.values()}
    heap = []  # (due, seq, out_fd, frame)
    seq = 0
    deadline = time.monotonic() + args.max_seconds

    def emit(out_fd, frame, direction):
        try:
            os.write(out_fd, frame)
        except OSError:
            # The device may be down for a moment while the parent configures it.
            stats[direction]["write_errors"] += 1

    while not stop["flag"] and time.monotonic() < deadline:
        now = time.monotonic()
        while heap and heap[0][0] <= now:
            _, _, out_fd, frame = heapq.heappop(heap)
            emit(out_fd, frame, names[peer[out_fd]])
        timeout = 0.2
        if heap:
            timeout = max(0.0, min(timeout, heap[0][0] - now))
        try:
            ready, _, _ = select.select([fd_a, fd_b], [], [], timeout)
        except InterruptedError:
            continue
        for fd in ready:
            for _ in range(64):  # bounded burst per wake-up
                try:
                    frame = os.read(fd, 65536)
                except BlockingIOError:
                    break
                except OSError:
                    break
                if not frame:
                    break
                d = names[fd]
                st = stats[d]
                st["frames"] += 1
                out_fd = peer[fd]
                if not is_tcp(frame):
                    emit(out_fd, frame, d)
                    continue
                st["tcp"] += 1
                rng = rngs[fd]
                # Both draws are made for every TCP frame, so that the sequence of
                # decisions does not depend on which frames were spared.
                lose = args.loss > 0 and rng.random() * 100.0 < args.loss
                early = args.reorder > 0 and rng.random() * 100.0 < args.reorder
                if lose:
                    ident = segment_identity(frame)
                    times = drops.get(ident, 0)
                    if ident is not None and times >= args.max_drops:
                        st["spared"] += 1
                    else:
                        if ident is not None:
                            if len(drops) >= MAX_TRACKED:
                                drops.clear()
                            drops[ident] = times + 1
                        st["dropped"] += 1
                        continue
                if delay <= 0 or early:
                    if delay > 0:
                        st["sent_early"] += 1
                    emit(out_fd, frame, d)
                    continue
                if len(heap) >= MAX_QUEUE:
                    st["queue_full"] += 1
                    continue
                st["delayed"] += 1
                seq += 1
                heapq.heappush(heap, (time.monotonic() + delay, seq, out_fd, frame))

    # Deliver what is still held, so that nothing in flight is lost at shutdown.
    for _, _, out_fd, frame in sorted(heap):
        emit(out_fd, frame, names[peer[out_fd]])
    with open(args.stats, "w", encoding="utf-8") as fh:
        json.dump({"seed": args.seed, "max_drops": args.max_drops, "loss_pct": args.loss,
                   "reorder_pct": args.reorder,
                   "delay_ms": args.delay_ms, "directions": stats}, fh)
        fh.write("\n")
    os.close(fd_a)
    os.close(fd_b)
    return 0


if __name__ == "__main__":
    sys.exit(main())
