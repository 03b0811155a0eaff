#!/usr/bin/env python3
"""A pyftpdlib FTP server for record.py, run inside the server namespace.

One user with a known password and full permissions on a temporary root
directory (anonymous login is off). Passive ports come from a fixed range.
Listens on one address (IPv4 or IPv6) and port; prints ``READY <version>`` on
stdout once the listening socket is bound; serves until SIGTERM/SIGINT or
``--max-seconds``. The protocol log of pyftpdlib goes to ``--log``.
"""

import argparse
import logging
import signal
import sys
import threading

import pyftpdlib
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--address", required=True)
    ap.add_argument("--port", type=int, default=21)
    ap.add_argument("--root", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--pasv-min", type=int, default=30000)
    ap.add_argument("--pasv-max", type=int, default=30099)
    ap.add_argument("--log", required=True)
    ap.add_argument("--max-seconds", type=float, default=600.0)
    args = ap.parse_args()

    logging.basicConfig(filename=args.log, level=logging.DEBUG,
                        format="%(asctime)s %(levelname)s %(message)s")

    authorizer = DummyAuthorizer()
    authorizer.add_user(args.user, args.password, args.root, perm="elradfmwMT")

    class Handler(FTPHandler):
        pass

    Handler.authorizer = authorizer
    Handler.passive_ports = range(args.pasv_min, args.pasv_max + 1)
    Handler.banner = f"pyftpdlib {pyftpdlib.__ver__} ready."
    # A failed login is answered after this many seconds (default 3); keep runs short.
    Handler.auth_failed_timeout = 0.5
    Handler.timeout = 120

    server = FTPServer((args.address, args.port), Handler)
    server.max_cons = 32

    def on_signal(_sig, _frm):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    timer = threading.Timer(args.max_seconds, lambda: signal.raise_signal(signal.SIGTERM))
    timer.daemon = True
    timer.start()

    print(f"READY {pyftpdlib.__ver__}", flush=True)
    try:
        server.serve_forever(timeout=0.5, handle_exit=False)
    except SystemExit:
        pass
    finally:
        server.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
