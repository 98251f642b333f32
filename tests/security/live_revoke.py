#!/usr/bin/env python3
"""Revoking a camera closes its viewer's live socket at once (security review 1, H2).

Against a running `sightline run`: logs in as an admin, creates a viewer allowed the first
camera, opens that camera's live WebSocket as the viewer, then the admin takes the camera
away (PATCH /api/users/NAME {"cameras": []}). Passes (exit 0) when the server closes the socket
with code 1008 within --max-seconds of the PATCH being sent, and a second viewer's socket on the
same camera stays open. Then does the same for disabling the user. Prints the figures either
way; deletes the users it made. Bounded: every socket has a timeout. Python 3 stdlib only.

    SIGHTLINE_ADMIN_USER=admin SIGHTLINE_ADMIN_PASSWORD=... tests/security/live_revoke.py http://127.0.0.1:8080
"""

import argparse
import base64
import http.client
import json
import os
import secrets
import socket
import struct
import sys
import time
import urllib.parse


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("url", help="the server, e.g. http://127.0.0.1:8080")
    p.add_argument("--admin-user", default=os.environ.get("SIGHTLINE_ADMIN_USER", "admin"))
    p.add_argument("--admin-password", default=os.environ.get("SIGHTLINE_ADMIN_PASSWORD", ""))
    p.add_argument("--max-seconds", type=float, default=1.0)
    return p.parse_args()


class Api:
    def __init__(self, host, port):
        self.host, self.port = host, port

    def call(self, method, path, body=None, cookie=""):
        c = http.client.HTTPConnection(self.host, self.port, timeout=10)
        headers = {"Content-Type": "application/json"}
        if cookie:
            headers["Cookie"] = cookie
        c.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, data, r.getheader("Set-Cookie") or ""

    def login(self, user, password):
        status, data, cookie = self.call("POST", "/api/login", {"username": user, "password": password})
        if status != 200:
            raise SystemExit("live_revoke: login as %s: %d %s" % (user, status, data[:200]))
        return cookie.split(";")[0]


class LiveSocket:
    """A minimal RFC 6455 client: the handshake, then reading frames until the server closes."""

    def __init__(self, host, port, path, cookie):
        self.s = socket.create_connection((host, port), timeout=10)
        key = base64.b64encode(secrets.token_bytes(16)).decode()
        self.s.sendall(("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nCookie: %s\r\n\r\n"
                        % (path, host, port, key, cookie)).encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.s.recv(4096)
            if not chunk:
                raise SystemExit("live_revoke: the upgrade was closed")
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        if not head.startswith(b"HTTP/1.1 101"):
            raise SystemExit("live_revoke: upgrade refused: %s" % head.split(b"\r\n")[0].decode())
        self.messages = 0

    def _need(self, n, deadline):
        while len(self.buf) < n:
            self.s.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk

    def wait_close(self, timeout):
        """Reads frames until a close frame: (its code, when it came), or (None, None)."""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                self._need(2, deadline)
                opcode, n = self.buf[0] & 0x0F, self.buf[1] & 0x7F
                offset = 2
                if n == 126:
                    self._need(4, deadline)
                    n, offset = struct.unpack(">H", self.buf[2:4])[0], 4
                elif n == 127:
                    self._need(10, deadline)
                    n, offset = struct.unpack(">Q", self.buf[2:10])[0], 10
                self._need(offset + n, deadline)
                payload, self.buf = self.buf[offset:offset + n], self.buf[offset + n:]
                if opcode == 0x8:
                    code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 1005
                    return code, time.monotonic(), payload[2:].decode(errors="replace")
                self.messages += 1
        except (socket.timeout, EOFError, OSError):
            pass
        return None, None, ""

    def close(self):
        self.s.close()


def check(api, admin, camera, name, change, what, max_seconds, u):
    """Opens a view as `name` and one as a bystander, applies `change`; True if it passed."""
    password = secrets.token_urlsafe(12)
    bystander = name + "-b"
    for user in (name, bystander):
        status, data, _ = api.call("POST", "/api/users",
                                   {"name": user, "password": password, "role": "viewer", "cameras": [camera]},
                                   admin)
        if status != 201:
            raise SystemExit("live_revoke: creating %s: %d %s" % (user, status, data[:200]))
    try:
        path = "/api/cameras/%s/live" % urllib.parse.quote(camera)
        victim = LiveSocket(u.hostname, u.port, path, api.login(name, password))
        other = LiveSocket(u.hostname, u.port, path, api.login(bystander, password))
        before, _, _ = victim.wait_close(1.0)  # a second of video; nothing should close it
        sent = time.monotonic()
        status, data, _ = api.call("PATCH", "/api/users/" + name, change, admin)
        if status != 200:
            raise SystemExit("live_revoke: PATCH %s: %d %s" % (change, status, data[:200]))
        code, at, reason = victim.wait_close(max_seconds + 5)
        other_code, _, _ = other.wait_close(1.0)
        elapsed = (at - sent) if at else None
        ok = before is None and code == 1008 and elapsed is not None and elapsed <= max_seconds and other_code is None
        print("live_revoke: %s: close code %s after %s (reason: %r); %d messages before it; bystander %s: %s"
              % (what, code, "%.3f s" % elapsed if elapsed is not None else "never", reason, victim.messages,
                 "still open" if other_code is None else "closed with %s" % other_code,
                 "PASS" if ok else "FAIL"))
        victim.close()
        other.close()
        return ok
    finally:
        for user in (name, bystander):
            api.call("DELETE", "/api/users/" + user, None, admin)


def main():
    a = parse_args()
    u = urllib.parse.urlsplit(a.url)
    api = Api(u.hostname, u.port or 80)
    admin = api.login(a.admin_user, a.admin_password)
    status, data, _ = api.call("GET", "/api/cameras", None, admin)
    cameras = json.loads(data)
    if status != 200 or not cameras.get("cameras"):
        raise SystemExit("live_revoke: no camera to watch: %d %s" % (status, data[:200]))
    camera = cameras["cameras"][0]["name"]
    tag = secrets.token_hex(3)
    results = [check(api, admin, camera, "revoke-" + tag, {"cameras": []}, "camera revoked", a.max_seconds, u),
               check(api, admin, camera, "disable-" + tag, {"disabled": True}, "user disabled", a.max_seconds, u)]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
