"""A model server whose answer never ends on its own: chunks of 8 KiB every 20 ms for a minute.

The router's tests use it to break an invocation off mid-answer, by the caller (it disconnects) or
by the container (it is killed). `serve`, the command the server starts it with, is ignored.
"""
import http.server
import os
import time

CHUNK = b"x" * 8192


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path != "/ping":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for _ in range(3000):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))
                self.wfile.flush()
                time.sleep(0.02)
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the router let go of the answer

    def log_message(self, format, *args):
        pass


http.server.ThreadingHTTPServer((os.environ.get("BIND_ADDRESS", "0.0.0.0"), int(os.environ.get("PORT", "8080"))),
                                Handler).serve_forever()
