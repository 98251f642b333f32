#!/usr/bin/env python3
"""security-review-1 M4: 6 workers guessing passwords, each guess from a new name and address,
got 66 guesses in 20 s evaluated and /api/health went from 2 ms to 0.35 s median. Target
(issue 11): /api/health stays under 50 ms median while 6 workers spray for 20 s."""
import threading
import time

import common

args = common.parse_args(__doc__)
WORKERS, SECONDS = 6, 20
deadline = common.Deadline(SECONDS)
lock = threading.Lock()
answers = {}
health_ms = []


def sprayer(w):
    i = 0
    while not deadline.passed() and i < 100000:
        # A new /24 each time: no per-address limit applies, only the global budget.
        source = f"127.{10 + w}.{i % 250}.{i // 250 % 250 + 1}"
        try:
            status, _, _ = common.request(args.url, "POST", "/api/login",
                                          {"username": f"spray{w}x{i}", "password": "guess"},
                                          source=source, timeout=10)
        except OSError as e:
            status = type(e).__name__
        with lock:
            answers[status] = answers.get(status, 0) + 1
        i += 1


def prober():
    while not deadline.passed():
        t0 = time.monotonic()
        status, _, _ = common.request(args.url, "GET", "/api/health", timeout=10)
        ms = (time.monotonic() - t0) * 1000
        if status == 200:
            health_ms.append(ms)
        time.sleep(0.05)


threads = [threading.Thread(target=sprayer, args=(w,)) for w in range(WORKERS)]
threads.append(threading.Thread(target=prober))
for t in threads:
    t.start()
for t in threads:
    t.join()
med = common.median(health_ms)
evaluated = answers.get(401, 0)
common.verdict("spray", med < 50 and len(health_ms) > 50,
               f"{sum(answers.values())} guesses {answers} ({evaluated} evaluated: 401); /api/health over "
               f"{len(health_ms)} probes: median {med:.1f} ms, p95 {common.percentile(health_ms, 95):.1f} ms, "
               f"max {max(health_ms or [0]):.1f} ms")
