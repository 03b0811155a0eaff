"""A pyftpdlib server for ftpflow's live-capture test.

Usage: server.py ROOT PORT PASV_LO PASV_HI
Serves ROOT on 127.0.0.1:PORT for user "alice" (password "live-pw") with passive ports
PASV_LO..PASV_HI; prints "ready" once listening. Stops on SIGTERM.
"""
import logging
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer


def main():
    root, port, lo, hi = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    logging.basicConfig(level=logging.WARNING)
    auth = DummyAuthorizer()
    auth.add_user("alice", "live-pw", root, perm="elradfmwMT")
    handler = FTPHandler
    handler.authorizer = auth
    handler.passive_ports = range(lo, hi + 1)
    handler.permit_foreign_addresses = False
    server = FTPServer(("127.0.0.1", port), handler)
    print("ready", flush=True)
    server.serve_forever(timeout=0.2, blocking=True)


if __name__ == "__main__":
    main()
