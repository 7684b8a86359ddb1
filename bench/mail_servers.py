"""Mail servers for tests and benchmarks: one that takes mail, one that never answers, none.

- `SinkServer`: just enough SMTP for Django's backend; keeps every message it
  takes (recipients and body), optionally after a delay per reply.
- `SilentServer`: accepts connections and never says a word (a mail server
  that hangs), so every client waits its whole timeout.
- `refused_port()`: a port on which nothing listens (connections are refused).

Each server runs in daemon threads of the process that starts it (`start()`),
or on its own: `python bench/mail_servers.py sink|silent --port N` (the
deployment proof runs a sink this way and reads its count from a file).
"""

import argparse
import contextlib
import json
import socket
import socketserver
import threading
import time
from pathlib import Path


class _SinkHandler(socketserver.StreamRequestHandler):
    def reply(self, line):
        if self.server.reply_delay:
            time.sleep(self.server.reply_delay)
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self):
        with self.server.lock:
            self.server.connections += 1
        self.reply("220 sink ESMTP")
        recipients = []
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip()
            verb = command.upper()
            if verb.startswith("EHLO"):
                self.reply("250 sink")
            elif verb.startswith("RCPT TO:"):
                recipients.append(command[8:].strip().strip("<>"))
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go ahead")
                body = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    body.append(data.decode(errors="replace"))
                self.server.took(recipients, "".join(body))
                recipients = []
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:  # MAIL, RSET, NOOP, HELO
                self.reply("250 ok")


class SinkServer(socketserver.ThreadingTCPServer):
    """An SMTP server on 127.0.0.1 that keeps what it is sent (`messages`: (to, body))."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port=0, *, reply_delay=0.0, record_to=None):
        super().__init__(("127.0.0.1", port), _SinkHandler)
        self.reply_delay = reply_delay
        self.record_to = Path(record_to) if record_to else None
        self.lock = threading.Lock()
        self.connections = 0
        self.messages = []
        self.messages_at = []

    @property
    def port(self):
        return self.server_address[1]

    def took(self, recipients, body):
        with self.lock:
            self.messages.append((list(recipients), body))
            self.messages_at.append((list(recipients), body, time.time()))
            if self.record_to:
                with self.record_to.open("a") as file:
                    file.write(json.dumps({"to": recipients, "at": time.time()}) + "\n")

    def start(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self


class _SilentHandler(socketserver.BaseRequestHandler):
    def handle(self):
        with self.server.lock:
            self.server.connections += 1
        # Hold the connection open, say nothing, until the client gives up or we stop.
        self.request.settimeout(1.0)
        while not self.server.stopping.is_set():
            try:
                if not self.request.recv(4096):
                    return
            except TimeoutError:
                continue
            except OSError:
                return


class SilentServer(socketserver.ThreadingTCPServer):
    """A server on 127.0.0.1 that accepts connections and never answers."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port=0):
        super().__init__(("127.0.0.1", port), _SilentHandler)
        self.lock = threading.Lock()
        self.connections = 0
        self.stopping = threading.Event()

    @property
    def port(self):
        return self.server_address[1]

    def start(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.stopping.set()
        self.shutdown()
        self.server_close()


def refused_port():
    """A port on 127.0.0.1 with nothing listening: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["sink", "silent"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--record-to", help="sink: append a JSON line per message to this file")
    options = parser.parse_args()
    if options.kind == "sink":
        server = SinkServer(options.port, record_to=options.record_to)
    else:
        server = SilentServer(options.port)
    print(f"{options.kind} SMTP server on 127.0.0.1:{server.port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
