#!/usr/bin/env python3
"""security-review-1 H1: 100 failed logins with 1 MiB names from 20 addresses took the server
from 66 to 261 MB, never returned. Target (issue 11): memory stays within 20 MB of its start
during 1000 failed logins with 1 MiB names from 20 loopback addresses."""
import json
import threading

import common

args = common.parse_args(__doc__)
assert args.pid, "--pid is needed to read the server's memory"
NAME = "x" * (1 << 20)
BODY = json.dumps({"username": NAME, "password": "y"}).encode()
ATTEMPTS, ADDRESSES = 1000, 20
statuses = {}
lock = threading.Lock()
deadline = common.Deadline(300)


def worker(i):
    source = f"127.4.{i // 250}.{i % 250 + 1}"
    for _ in range(ATTEMPTS // ADDRESSES):
        if deadline.passed():
            return
        try:
            status, _, _ = common.request(args.url, "POST", "/api/login", BODY, source=source)
        except OSError as e:  # the server may close before reading a refused body
            status = type(e).__name__
        with lock:
            statuses[status] = statuses.get(status, 0) + 1


start_mb = common.rss_mb(args.pid)
peak_mb = start_mb
threads = [threading.Thread(target=worker, args=(i,)) for i in range(ADDRESSES)]
for t in threads:
    t.start()
while any(t.is_alive() for t in threads):
    peak_mb = max(peak_mb, common.rss_mb(args.pid))
    threads[0].join(0.2)
for t in threads:
    t.join()
end_mb = common.rss_mb(args.pid)
peak_mb = max(peak_mb, end_mb)
# Every attempt was refused: a 413, or the connection closed while the client was still sending
# the body it had been told not to send. And the server still answers.
refused = statuses.get(413, 0) + statuses.get("BrokenPipeError", 0) + statuses.get("RemoteDisconnected", 0) \
    + statuses.get("ConnectionResetError", 0)
health, _, _ = common.request(args.url, "GET", "/api/health")
common.verdict("login_memory",
               peak_mb - start_mb <= 20 and refused == sum(statuses.values()) == ATTEMPTS and health == 200,
               f"{sum(statuses.values())} attempts {statuses}; RSS start {start_mb:.1f} MB, "
               f"peak {peak_mb:.1f} MB (+{peak_mb - start_mb:.1f}), end {end_mb:.1f} MB; health afterwards {health}")
