#!/usr/bin/env python3
"""A webhook receiver for tests: records every request and answers from a status sequence.

usage: receiver.py PORT_FILE LOG_FILE STATUSES [--retry-after VALUE] [--delay SECONDS] [--body TEXT] [--port PORT]
                   [--tls CERT KEY]

Binds 127.0.0.1 on a free port and writes the port to PORT_FILE once listening. Each request is
appended to LOG_FILE as one JSON line: {"method", "path", "headers": [[name, value], ...],
"body": base64}. The n-th request is answered with the n-th status of STATUSES (comma separated,
e.g. "503,200"); the last status repeats. Retry-After is added to every non-2xx answer when given;
--delay sleeps before answering. --tls serves HTTPS with that certificate chain and key.
"""
import argparse
import base64
import json
import os
import signal
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    # A test process starts this from a thread that blocks signals, and the mask is inherited: without
    # this, SIGTERM stays pending and every stop waits out its grace period for the SIGKILL.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parser = argparse.ArgumentParser()
    parser.add_argument("port_file")
    parser.add_argument("log_file")
    parser.add_argument("statuses")
    parser.add_argument("--retry-after")
    parser.add_argument("--delay", type=float, default=0)
    parser.add_argument("--body", default="ok")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = parser.parse_args()
    statuses = [int(s) for s in args.statuses.split(",")]
    lock = threading.Lock()
    count = [0]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with lock:
                index = count[0]
                count[0] += 1
                record = {
                    "method": self.command,
                    "path": self.path,
                    "headers": [[k, v] for k, v in self.headers.items()],
                    "body": base64.b64encode(body).decode("ascii"),
                }
                with open(args.log_file, "a") as log:
                    log.write(json.dumps(record) + "\n")
            if args.delay:
                time.sleep(args.delay)
            status = statuses[min(index, len(statuses) - 1)]
            answer = args.body.encode()
            try:
                self.send_response(status)
                if args.retry_after and not 200 <= status < 300:
                    self.send_header("Retry-After", args.retry_after)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    if args.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls[0], args.tls[1])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    temporary = args.port_file + ".tmp"
    with open(temporary, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(temporary, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
