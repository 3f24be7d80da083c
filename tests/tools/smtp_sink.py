#!/usr/bin/env python3
"""A local SMTP sink for tests: accepts mail on 127.0.0.1 and writes each message as a JSON
file (envelope sender, envelope recipients, data) into a folder.

    python3 tests/tools/smtp_sink.py OUT_DIR

It prints the port it listens on (chosen by the system) on its first line, then serves until
its standard input closes or 60 seconds pass, whichever comes first.
"""

import json
import os
import select
import socket
import sys
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out):
        self.out = out
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        path = os.path.join(self.out, f"{self.n:04}.json")
        with open(path + ".tmp", "w") as f:
            json.dump(
                {
                    "mail_from": envelope.mail_from,
                    "rcpt_tos": envelope.rcpt_tos,
                    "data": envelope.original_content.decode("latin-1"),
                },
                f,
            )
        os.rename(path + ".tmp", path)
        return "250 OK"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    out = sys.argv[1]
    port = free_port()
    controller = Controller(Sink(out), hostname="127.0.0.1", port=port)
    controller.start()
    print(port, flush=True)
    deadline = time.time() + 60
    try:
        while time.time() < deadline:
            ready, _, _ = select.select([sys.stdin], [], [], 0.2)
            if ready and not sys.stdin.read(1):
                break
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
