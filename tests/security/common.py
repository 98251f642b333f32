"""Shared helpers of the live attack scripts in tests/security (python3 standard library only).

Every script takes the server's base URL (http://127.0.0.1:PORT) and talks only to loopback;
source addresses 127.x.y.z stand in for many clients (all of 127.0.0.0/8 is this machine).
Every loop is bounded in count and in time.
"""
import argparse
import http.client
import json
import os
import statistics
import sys
import time
import urllib.parse


def parse_args(description, extra=None):
    """The server's URL (positional) and, from run.sh's environment by default, its pid and an
    admin's credentials."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("url", help="the server, http://127.0.0.1:PORT")
    p.add_argument("--pid", type=int, default=int(os.environ.get("SIGHTLINE_PID", "0")),
                   help="the server's process id (for its memory)")
    p.add_argument("--admin", default=os.environ.get("SIGHTLINE_ADMIN_USER", "admin") + ":" +
                   os.environ.get("SIGHTLINE_ADMIN_PASSWORD", ""), help="NAME:PASSWORD of an admin")
    if extra:
        extra(p)
    return p.parse_args()


def host_port(url):
    u = urllib.parse.urlparse(url)
    assert u.hostname in ("127.0.0.1", "localhost", "::1"), "loopback only"
    return u.hostname, u.port


def request(url, method, path, body=None, headers=None, source=None, timeout=10.0):
    """One request on its own connection; returns (status, headers dict, body bytes)."""
    host, port = host_port(url)
    conn = http.client.HTTPConnection(host, port, timeout=timeout,
                                      source_address=(source, 0) if source else None)
    try:
        h = dict(headers or {})
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def login(url, credentials, source=None):
    """Logs in with "NAME:PASSWORD"; returns the Cookie header value."""
    name, password = credentials.split(":", 1)
    status, headers, body = request(url, "POST", "/api/login", {"username": name, "password": password},
                                    source=source)
    if status != 200:
        raise RuntimeError(f"login as {name}: {status} {body[:200]!r}")
    return headers["set-cookie"].split(";", 1)[0]


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmRSS")


def percentile(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def median(values):
    return statistics.median(values) if values else float("nan")


def verdict(name, ok, figures):
    """Prints the figures and the result; exits non-zero when the target was missed."""
    print(f"{name}: {'PASS' if ok else 'FAIL'}: {figures}", flush=True)
    if not ok:
        sys.exit(1)


class Deadline:
    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def left(self):
        return max(0.0, self.end - time.monotonic())

    def passed(self):
        return time.monotonic() >= self.end
