"""Tests of pcapflows.py on small captures built here (run by scripts/test.sh):

    python3 -m unittest discover -s scripts/real -p 'test_*.py'

The first case is the one that made scripts/test.sh fail about once in ten runs: over
the lossy link the first copy of ABOR was lost before the capture point, the client then
sent a bare ACK with the next sequence number, and the retransmission of ABOR came last.
tshark called that only copy a retransmission and did not show it as an FTP command, so
the recording was refused although the capture held the command.
"""

import struct
import tempfile
import unittest
from pathlib import Path

import pcapflows

CLI, SRV = ("10.21.4.2", 40000), ("10.21.4.1", 21)


def frame(src, dst, seq, ack, flags, payload=b""):
    """An Ethernet + IPv4 + TCP frame (checksums left at zero: nothing here reads them)."""
    tcp = struct.pack("!HHIIBBHHH", src[1], dst[1], seq, ack, 5 << 4, flags, 65535, 0, 0)
    ip_total = 20 + len(tcp) + len(payload)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_total, 0, 0, 64, 6, 0,
                     bytes(map(int, src[0].split("."))), bytes(map(int, dst[0].split("."))))
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + tcp + payload


def pcap(frames, cut=0):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    for i, f in enumerate(frames):
        out += struct.pack("<IIII", i, 0, len(f), len(f)) + f
    return out[:len(out) - cut]


S, A, F, R, P = 0x02, 0x10, 0x01, 0x04, 0x08


def session(abor_lost=True):
    """A control connection: banner, RETR, ABOR (first copy lost when abor_lost), QUIT,
    and a close from the server."""
    c, s = 1000, 5000  # initial sequence numbers
    f = [frame(CLI, SRV, c, 0, S), frame(SRV, CLI, s, c + 1, S | A),
         frame(CLI, SRV, c + 1, s + 1, A)]
    banner = b"220 hi\r\n"
    f.append(frame(SRV, CLI, s + 1, c + 1, P | A, banner))
    s += 1 + len(banner)
    c += 1
    retr = b"RETR big-5m.bin\r\n"
    f.append(frame(CLI, SRV, c, s, P | A, retr))
    c += len(retr)
    r150 = b"150 Opening\r\n"
    f.append(frame(SRV, CLI, s, c, P | A, r150))
    s += len(r150)
    abor = b"ABOR\r\n"
    r426 = b"426 Failure\r\n"
    if abor_lost:
        # The server, not having ABOR yet, sends 426; the client acknowledges it with the
        # sequence number after ABOR; only then does ABOR's retransmission cross.
        f.append(frame(SRV, CLI, s, c, P | A, r426))
        f.append(frame(CLI, SRV, c + len(abor), s + len(r426), A))
        f.append(frame(CLI, SRV, c, s + len(r426), P | A | 0x20, abor))
    else:
        f.append(frame(CLI, SRV, c, s, P | A | 0x20, abor))
        f.append(frame(SRV, CLI, s, c + len(abor), P | A, r426))
    c += len(abor)
    s += len(r426)
    # QUIT arrives in a retransmission that also repeats ABOR's bytes (merged copy).
    quit_ = b"QUIT\r\n"
    f.append(frame(CLI, SRV, c - len(abor), s, P | A, abor + quit_))
    c += len(quit_)
    bye = b"221 bye\r\n"
    f.append(frame(SRV, CLI, s, c, P | A, bye))
    s += len(bye)
    f.append(frame(SRV, CLI, s, c, F | A))
    f.append(frame(CLI, SRV, c, s + 1, F | A))
    f.append(frame(SRV, CLI, s + 1, c + 1, A))
    return f


class PcapFlowsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def write(self, data):
        path = Path(self.dir.name) / "t.pcap"
        path.write_bytes(data)
        return path

    def test_a_command_whose_only_copy_is_a_late_retransmission_is_found(self):
        for lost in (True, False):
            got = pcapflows.client_commands(self.write(pcap(session(abor_lost=lost))), 21)
            self.assertEqual(len(got), 1)
            client, cmds, holes, tail = got[0]
            self.assertEqual(client, CLI)
            self.assertEqual(cmds, [("RETR", "big-5m.bin"), ("ABOR", ""), ("QUIT", "")])
            self.assertEqual((holes, tail), (0, b""))

    def test_a_gap_in_the_stream_is_counted(self):
        frames = session(abor_lost=True)
        # Every copy of ABOR lost, QUIT sent on its own after it: ABOR's bytes never appear.
        quit_seq = 1001 + len(b"RETR big-5m.bin\r\n") + len(b"ABOR\r\n")
        frames = [f for f in frames if b"ABOR" not in f]
        frames.append(frame(CLI, SRV, quit_seq, 0, P | A, b"QUIT\r\n"))
        got = pcapflows.client_commands(self.write(pcap(frames)), 21)
        self.assertEqual(got[0][2], 1)
        self.assertEqual(got[0][1], [("RETR", "big-5m.bin"), ("QUIT", "")])

    def test_telnet_interrupt_before_abor_is_not_part_of_the_command(self):
        self.assertEqual(pcapflows.telnet_clean(b"\xff\xf4\xff\xf2ABOR\r\n"), b"ABOR\r\n")
        self.assertEqual(pcapflows.telnet_clean(b"a\xff\xffb\xff\xfb\x01c"), b"a\xffbc")

    def test_a_connection_is_finished_by_both_fins_acknowledged_or_a_reset(self):
        frames = session()
        self.assertEqual(pcapflows.unfinished(self.write(pcap(frames))), [])
        # Without the last ACK the end is not in the file yet.
        self.assertEqual(len(pcapflows.unfinished(self.write(pcap(frames[:-1])))), 1)
        # Nor when tcpdump is still writing that ACK's record.
        self.assertEqual(len(pcapflows.unfinished(self.write(pcap(frames, cut=3)))), 1)
        reset = frames[:5] + [frame(SRV, CLI, 1, 1, R)]
        self.assertEqual(pcapflows.unfinished(self.write(pcap(reset))), [])

    def test_an_unanswered_connection_attempt_is_not_waited_for(self):
        # An active data connection a firewall dropped: the server's SYN and its
        # retransmissions, nothing back.
        data_srv, data_cli = ("10.21.4.1", 20), ("10.21.4.2", 40001)
        syns = [frame(data_srv, data_cli, 77, 0, S) for _ in range(3)]
        self.assertEqual(pcapflows.unfinished(self.write(pcap(session() + syns))), [])
        # Answered (SYN-ACK) but not closed: still unfinished.
        answered = syns + [frame(data_cli, data_srv, 9, 78, S | A)]
        self.assertEqual(len(pcapflows.unfinished(self.write(pcap(answered)))), 1)


if __name__ == "__main__":
    unittest.main()
