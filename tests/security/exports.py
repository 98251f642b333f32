#!/usr/bin/env python3
"""Exports against a running `sightline run` (security review M2, L1, L9; issue 11 item 4).

Checks, with bounded loops, python3's standard library only:
  1. GET and HEAD on the export URLs answer 405 and export nothing.
  2. While one export of a user is running, the same user's second export gets 429 with
     Retry-After.
  3. While WORKERS clients export in a loop (the server runs `http.max_exports` at once, the rest
     get 429), GET /api/health stays under 50 ms median.
  4. With --data-dir: no file an export could leave (an `exports` directory, *.tmp, anything new
     outside the cameras' segment folders) appears in the data directory.

usage: tests/security/exports.py URL USER PASSWORD [--also USER:PASSWORD ...] [--data-dir DIR]
       [--camera NAME] [--seconds S] [--workers N] [--duration S]
USER needs the operator or admin role; --also adds users for the concurrent load (one export
per user runs at a time). Exits 0 when every check passes, 1 otherwise, 2 on bad usage.
"""

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import sys
import threading
import time
import urllib.parse

HEALTH_MEDIAN_LIMIT_MS = 50.0


class Server:
    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        if u.scheme != 'http':
            raise SystemExit('exports.py: only http:// URLs (run it on the server, over loopback)')
        self.host = u.hostname
        self.port = u.port or 80

    def connect(self, rcvbuf=None, timeout=60):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        if rcvbuf:
            # A small receive buffer, set before connecting: the server's writes stall soon
            # when this client does not read, so its export stays running.
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            sock.settimeout(timeout)
            sock.connect((self.host, self.port))
            conn.sock = sock
        return conn

    def request(self, method, path, body=None, cookie=None, read=True):
        conn = self.connect()
        headers = {}
        if cookie:
            headers['Cookie'] = cookie
        if body is not None:
            body = json.dumps(body)
            headers['Content-Type'] = 'application/json'
        conn.request(method, path, body=body, headers=headers)
        res = conn.getresponse()
        data = res.read() if read and method != 'HEAD' else b''
        conn.close()
        return res, data

    def login(self, user, password):
        res, data = self.request('POST', '/api/login', {'username': user, 'password': password})
        if res.status != 200:
            raise SystemExit(f'exports.py: login as {user} failed: {res.status} {data[:200]!r}')
        return res.getheader('Set-Cookie').split(';')[0]


def export_path(camera):
    return f'/api/cameras/{urllib.parse.quote(camera, safe="")}/export'


def pick_range(server, cookie, camera, seconds):
    """The last `seconds` of recording of the camera's first recorded stream."""
    now_us = int(time.time() * 1e6)
    q = urllib.parse.urlencode({'start_us': now_us - 24 * 3600 * 10**6, 'end_us': now_us})
    res, data = server.request('GET', f'/api/cameras/{urllib.parse.quote(camera)}/recordings?{q}', cookie=cookie)
    if res.status != 200:
        raise SystemExit(f'exports.py: recordings of {camera}: {res.status} {data[:200]!r}')
    rec = json.loads(data)
    spans = rec['spans']
    if not spans:
        raise SystemExit(f'exports.py: nothing recorded of {camera} in the last 24 hours')
    last = spans[-1]
    end_us = last['end_us'] - 1_000_000
    start_us = max(last['start_us'], end_us - seconds * 10**6)
    return {'stream': rec['stream'], 'start_us': start_us, 'end_us': end_us}


def files_of(data_dir):
    out = set()
    for root, dirs, files in os.walk(data_dir):
        for name in dirs + files:
            out.add(os.path.relpath(os.path.join(root, name), data_dir))
    return out


def health_ms(server, samples, pause_s=0.05, stop=None):
    times = []
    for _ in range(samples):
        if stop is not None and stop.is_set():
            break
        t0 = time.perf_counter()
        res, _ = server.request('GET', '/api/health')
        times.append((time.perf_counter() - t0) * 1000)
        if res.status != 200:
            raise SystemExit(f'exports.py: /api/health answered {res.status}')
        time.sleep(pause_s)
    return times


class Checks:
    def __init__(self):
        self.failed = 0

    def check(self, ok, what):
        print(('PASS ' if ok else 'FAIL ') + what)
        self.failed += 0 if ok else 1


def check_get_and_head(server, cookie, camera, rng, checks):
    q = urllib.parse.urlencode(rng)
    for method in ('GET', 'HEAD'):
        for path in (export_path(camera) + '.mp4', export_path(camera)):
            res, data = server.request(method, f'{path}?{q}', cookie=cookie)
            checks.check(res.status == 405, f'{method} {path} answers 405 (got {res.status})')


def check_second_export_gets_429(server, cookie, camera, rng, checks):
    conn = server.connect(rcvbuf=4096)
    body = json.dumps(rng)
    conn.request('POST', export_path(camera), body=body,
                 headers={'Cookie': cookie, 'Content-Type': 'application/json'})
    first = conn.getresponse()  # the head only: the body stalls in the socket buffers
    try:
        checks.check(first.status == 200, f'a first export starts (got {first.status})')
        res, data = server.request('POST', export_path(camera), rng, cookie=cookie)
        checks.check(res.status == 429 and res.getheader('Retry-After') is not None,
                     f'the same user\'s second export at once gets 429 with Retry-After '
                     f'(got {res.status}: {data[:120]!r})')
    finally:
        conn.close()


def run_load(server, cookies, camera, rng, workers, duration_s):
    """WORKERS threads export in a loop (reading at full speed) for duration_s; the main thread
    samples /api/health meanwhile. Returns (health times, statuses)."""
    stop = threading.Event()
    statuses = []
    lock = threading.Lock()

    def worker(i):
        cookie = cookies[i % len(cookies)]
        while not stop.is_set():
            try:
                res, _ = server.request('POST', export_path(camera), rng, cookie=cookie)
                status = res.status
            except (OSError, http.client.HTTPException) as e:
                status = f'error {e}'
            with lock:
                statuses.append(status)
            if status == 429:
                time.sleep(0.2)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(workers)]
    for t in threads:
        t.start()
    time.sleep(0.5)  # let the exports start
    deadline = time.monotonic() + duration_s
    times = []
    while time.monotonic() < deadline:
        times += health_ms(server, 1, pause_s=0.1)
    stop.set()
    for t in threads:
        t.join(timeout=120)
    return times, statuses


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('url')
    p.add_argument('user')
    p.add_argument('password')
    p.add_argument('--also', action='append', default=[], metavar='USER:PASSWORD')
    p.add_argument('--data-dir')
    p.add_argument('--camera')
    p.add_argument('--seconds', type=int, default=120, help='length of each export (default 120)')
    p.add_argument('--workers', type=int, default=4)
    p.add_argument('--duration', type=float, default=15, help='seconds of concurrent load (default 15)')
    a = p.parse_args()
    if not 1 <= a.workers <= 32 or not 1 <= a.duration <= 300 or not 1 <= a.seconds <= 6 * 3600:
        p.error('--workers 1..32, --duration 1..300, --seconds 1..21600')

    server = Server(a.url)
    cookie = server.login(a.user, a.password)
    cookies = [cookie] + [server.login(*u.split(':', 1)) for u in a.also]
    camera = a.camera
    if camera is None:
        res, data = server.request('GET', '/api/cameras', cookie=cookie)
        cameras = json.loads(data)['cameras'] if res.status == 200 else []
        if not cameras:
            raise SystemExit('exports.py: no camera visible to ' + a.user)
        camera = cameras[0]['name']
    rng = pick_range(server, cookie, camera, a.seconds)
    print(f'camera {camera}/{rng["stream"]}, exports of {(rng["end_us"] - rng["start_us"]) / 1e6:.0f} s')
    before = files_of(a.data_dir) if a.data_dir else None

    checks = Checks()
    check_get_and_head(server, cookie, camera, rng, checks)
    check_second_export_gets_429(server, cookie, camera, rng, checks)

    idle = health_ms(server, 20)
    print(f'/api/health idle: median {statistics.median(idle):.1f} ms, max {max(idle):.1f} ms')
    times, statuses = run_load(server, cookies, camera, rng, a.workers, a.duration)
    done = sum(1 for s in statuses if s == 200)
    refused = sum(1 for s in statuses if s == 429)
    other = [s for s in statuses if s not in (200, 429)]
    median = statistics.median(times)
    print(f'/api/health during {a.workers} exporting clients ({len(cookies)} users) for {a.duration:.0f} s: '
          f'median {median:.1f} ms, max {max(times):.1f} ms, {len(times)} samples; '
          f'exports: {done} completed, {refused} got 429, {len(other)} other {other[:3]}')
    checks.check(done > 0, 'exports completed under load')
    checks.check(not other, 'every export answered 200 or 429')
    checks.check(median < HEALTH_MEDIAN_LIMIT_MS,
                 f'/api/health median under {HEALTH_MEDIAN_LIMIT_MS:.0f} ms during exports ({median:.1f} ms)')

    if a.data_dir:
        new = sorted(files_of(a.data_dir) - before)
        # What recording adds meanwhile: segment files <camera>/<stream>/<10 digits>.mp4 (of
        # every camera, also those this user may not see) and the index beside them.
        segment = re.compile(r'^[^/]+/[^/]+/[0-9]{10}\.mp4$')
        def is_suspicious(f):
            if 'export' in f.lower() or f.endswith('.tmp'):
                return True
            if os.path.isdir(os.path.join(a.data_dir, f)):
                return f.count(os.sep) > 1  # a camera's or a stream's folder is expected
            return not segment.match(f.replace(os.sep, '/')) and not os.path.basename(f).startswith('index.db')
        suspicious = [f for f in new if is_suspicious(f)]
        checks.check(not suspicious, f'no export file left in {a.data_dir} ({suspicious[:5]})')
    print('exports.py: ' + ('all checks passed' if checks.failed == 0 else f'{checks.failed} checks FAILED'))
    return 0 if checks.failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
