#!/usr/bin/env python3
"""A tiny webhook receiver for the integration tests (loopback only).

Usage: webhook_sink.py PORT_FILE OUT_FILE [STATUS_SEQUENCE]

Binds 127.0.0.1 on a free port, writes the port to PORT_FILE, and appends
each POST body (parsed as JSON, else kept as text) as one JSON line to
OUT_FILE: {"path": ..., "body": ...}. Answers 200 "ok" (Slack's answer).
A POST to a path starting with /flaky/N answers 503 to the first N POSTs
on that path, so a client's retry can be tested.
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
SEEN = {}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace")
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw
        with LOCK:
            SEEN[self.path] = SEEN.get(self.path, 0) + 1
            count = SEEN[self.path]
            parts = self.path.split("/")
            fail_first = int(parts[2]) if len(parts) > 2 and parts[1] == "flaky" else 0
            status = 503 if count <= fail_first else 200
            with open(OUT_FILE, "a", encoding="utf-8") as f:
                f.write(json.dumps({"path": self.path, "status": status, "body": body}) + "\n")
        payload = b"ok" if status == 200 else b"unavailable"
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):  # keep test output quiet
        pass


if __name__ == "__main__":
    port_file, OUT_FILE = sys.argv[1], sys.argv[2]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(port_file + ".tmp", "w", encoding="utf-8") as f:
        f.write(str(server.server_address[1]))
    # Rename so a reader never sees a half-written port.
    import os

    os.replace(port_file + ".tmp", port_file)
    server.serve_forever()
