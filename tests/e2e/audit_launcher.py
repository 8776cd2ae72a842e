"""Start Streamlit's CLI under a Python audit hook that records every outgoing connection.

    python tests/e2e/audit_launcher.py run app.py --server.port 8611

Each socket.connect to an address that is not loopback is appended, one per line, to the
file named by $CONNECT_LOG. The dashboard promises that nothing leaves the machine.
"""
from __future__ import annotations

import ipaddress
import os
import socket
import sys

LOG = os.environ.get("CONNECT_LOG", "connects.log")


def is_loopback(address) -> bool:
    if not isinstance(address, tuple):  # a unix socket path
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name: someone is about to leave the machine


def hook(event: str, args: tuple) -> None:
    if event == "socket.connect":
        sock, address = args
        if getattr(sock, "family", None) in (socket.AF_INET, socket.AF_INET6) and not is_loopback(address):
            with open(LOG, "a", encoding="utf-8") as out:
                out.write(f"{address!r}\n")


if __name__ == "__main__":
    sys.addaudithook(hook)
    from streamlit.web.cli import main

    sys.argv = ["streamlit", *sys.argv[1:]]
    sys.exit(main())
