"""An ftplib client for ftpflow's live-capture test.

Usage: client.py PORT ACTIVE_PORT UPLOAD_BYTES
Logs in to 127.0.0.1:PORT as alice, downloads big.bin in passive mode (RETR), uploads
UPLOAD_BYTES bytes in active mode (STOR) with its data listener on ACTIVE_PORT, prints
"transfers done <downloaded bytes>", then waits for a line on stdin before QUIT, so the
test can check that the transfers were reported while the session was still open.
"""
import ftplib
import io
import socket
import sys


class FixedPortFTP(ftplib.FTP):
    """Active mode with the data listener on a known port (so a capture filter can name it)."""

    active_port = 0

    def makeport(self):
        sock = socket.create_server(("127.0.0.1", self.active_port), backlog=1)
        host = self.sock.getsockname()[0]
        port = sock.getsockname()[1]
        self.sendport(host, port)
        if self.timeout is not None:
            sock.settimeout(self.timeout)
        return sock


def main():
    port, active_port, upload = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    ftp = FixedPortFTP()
    ftp.active_port = active_port
    ftp.connect("127.0.0.1", port, timeout=20)
    ftp.login("alice", "live-pw")
    ftp.set_pasv(True)
    got = bytearray()
    ftp.retrbinary("RETR big.bin", got.extend)
    ftp.set_pasv(False)
    ftp.storbinary("STOR up.bin", io.BytesIO(bytes(i % 251 for i in range(upload))))
    print(f"transfers done {len(got)}", flush=True)
    sys.stdin.readline()
    ftp.quit()
    print("quit", flush=True)


if __name__ == "__main__":
    main()
