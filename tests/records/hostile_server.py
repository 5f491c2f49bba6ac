"""A loopback HTTP server that plays a hostile Zendesk: its user's name and its error descriptions are HTML.

Only for the record-safety tests: `/api/v2/users/me` answers an admin named `name`; every other request is
a 422 whose description and details carry `description` (Zendesk's error shape: `error`, `description`,
`details`, see shared/reference/zendesk-api.md, errors).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def hostile_zendesk(name: str, description: str) -> Iterator[str]:
    """Serve until the block ends; yields the base URL (http on loopback, so the client accepts it)."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            if self.path.startswith("/api/v2/users/me"):
                status = 200
                body = {"user": {"id": 77, "name": name, "email": "eve@example.com", "role": "admin"}}
            else:
                status = 422
                body = {
                    "error": "RecordInvalid",
                    "description": description,
                    "details": {"title": [{"description": description, "error": "InvalidValue"}]},
                }
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Request-Id", "hostile-1")
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
