#!/usr/bin/env python3
"""Discovery and set-up of many ONVIF cameras (issue 15): camsim serves N cameras as ONVIF
devices with WS-Discovery on loopback; `sightline discover` finds them by multicast and asks
each for its identity, clock, profiles and stream URIs (16 at a time, each with its own
deadline). Beside them, B "black-hole" devices (TCP listeners that accept and never answer)
are asked with --host: they must cost their own deadline, not hold up the N.

The peer, for the discovery step only, is Debian's `onvif-util -a`; it cannot run here on
loopback (it sends its Probe with IP_MULTICAST_LOOP off: tests/camsim_onvif_interop_test.cc
runs it across a veth pair), so the table has no peer column.

    usage: bench/onvif_setup.py [--cameras 200] [--black-holes 5] [--timeout 3]
           (from the repository root, after scripts/build.sh release)
"""
import argparse
import json
import os
import re
import resource
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("SIGHTLINE_BIN", os.path.join(ROOT, "build/release/src/app/sightline"))
MEDIA = os.environ.get("SIGHTLINE_SHARED_MEDIA", os.path.join(ROOT, "..", "shared", "media"))


def start_camsim(n):
    clip = os.path.join(MEDIA, "pets2009_s2l1_360p10_400k.h264.mp4")
    if not os.path.exists(clip):
        sys.exit(f"onvif_setup: {clip} missing (../shared/media)")
    p = subprocess.Popen([BIN, "camsim", "--listen", "127.0.0.1:0", "--onvif", "127.0.0.1:0", "--ws-discovery",
                          "--stats-interval", "0", "--user", "admin", "--password", "bench-pass",
                          "--camera", f"name=cam{{0..{n - 1}}},file={clip}"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in p.stdout:
        if line.startswith("camsim: onvif "):
            return p
    sys.exit("onvif_setup: camsim did not start")


def black_holes(b):
    socks = []
    for _ in range(b):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(64)  # accepted by the kernel, never read: the client waits for its deadline
        socks.append(s)
    return socks


def discover(timeout, hosts):
    args = [BIN, "discover", "--interface", "127.0.0.1", "--timeout", str(timeout), "--user", "admin",
            "--password", "bench-pass", "--json"]
    for h in hosts:
        args += ["--host", h]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads(out), wall, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cameras", type=int, default=200)
    ap.add_argument("--black-holes", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=3)
    a = ap.parse_args()
    camsim = start_camsim(a.cameras)
    holes = black_holes(a.black_holes)
    try:
        rows = []
        for label, hosts in (("cameras only", []),
                             (f"+ {a.black_holes} black holes",
                              [f"127.0.0.1:{s.getsockname()[1]}" for s in holes])):
            found, wall, cpu = discover(a.timeout, hosts)
            ok = sum(1 for d in found if (d.get("main") or {}).get("uri"))
            failed = sum(1 for d in found if d.get("error"))
            rows.append((label, len(found), ok, failed, wall, cpu))
    finally:
        camsim.terminate()
        camsim.wait()
    print(f"| run | devices listed | set up (main URI) | failed | wall s | CPU s | CPU ms per camera |")
    print("|---|---|---|---|---|---|---|")
    for label, n, ok, failed, wall, cpu in rows:
        print(f"| {label} | {n} | {ok} | {failed} | {wall:.2f} | {cpu:.2f} | {1000 * cpu / max(ok, 1):.2f} |")
    print(f"(WS-Discovery listen time {a.timeout} s included in wall; {a.cameras} cameras)")


if __name__ == "__main__":
    main()
