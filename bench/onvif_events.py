#!/usr/bin/env python3
"""CPU of N ONVIF event subscriptions (issue 15): camsim serves N cameras whose motion detector
reports motion for 5 s every 30 s; Sightline's subscriber (bench_onvif_events: one
onvif::EventSubscriber per camera, as `sightline run` keeps them) and, as the peer, npm's
`onvif` client (bench/onvif_events_peer.js) each subscribe to all N, one after the other, on
the same camsim. Steady state only: CPU over --seconds once every camera is subscribed.

    usage: bench/onvif_events.py [--cameras 1000] [--seconds 60] [--no-peer]
           (from the repository root, after scripts/build.sh release bench_onvif_events
            and scripts/onvif_interop_deps.sh)
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build/release")
BIN = os.environ.get("SIGHTLINE_BIN", os.path.join(BUILD, "src/app/sightline"))
BENCH = os.path.join(BUILD, "bench/bench_onvif_events")
MEDIA = os.environ.get("SIGHTLINE_SHARED_MEDIA", os.path.join(ROOT, "..", "shared", "media"))
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def start_camsim(n, digits):
    clip = os.path.join(MEDIA, "pets2009_s2l1_360p10_400k.h264.mp4")
    if not os.path.exists(clip):
        sys.exit(f"onvif_events: {clip} missing (../shared/media)")
    names = f"cam{{{'0' * digits}..{n - 1:0{digits}d}}}"
    p = subprocess.Popen([BIN, "camsim", "--listen", "127.0.0.1:0", "--onvif", "127.0.0.1:0", "--stats-interval",
                          "0", "--user", "admin", "--password", "bench-pass",
                          "--camera", f"name={names},file={clip},events=5/30"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in p.stdout:
        if line.startswith("camsim: onvif http://"):
            port = line.split("http://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1]
            return p, int(port)
    sys.exit("onvif_events: camsim did not start")


def run_ours(port, n, digits, seconds, camsim):
    cmd = [BENCH, "--base", f"http://127.0.0.1:{port}/onvif/", "--cameras", str(n), "--digits", str(digits),
           "--seconds", str(seconds), "--user", "admin", "--password", "bench-pass"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    # camsim's CPU over the same window: the bench prints when it is done, so sample around it.
    cam_before = cpu_seconds(camsim.pid)
    out, _ = p.communicate(timeout=seconds + 180)
    result = json.loads(out.strip().splitlines()[-1])
    result["camsim_cpu_s"] = cpu_seconds(camsim.pid) - cam_before
    return result


def run_peer(port, n, digits, seconds):
    env = dict(os.environ, NODE_PATH=os.path.join(ROOT, "tests/onvif_interop/node_modules"))
    p = subprocess.Popen(["node", os.path.join(ROOT, "bench/onvif_events_peer.js"), str(port), str(n), str(digits),
                          "admin", "bench-pass"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         env=env)
    start = time.monotonic()
    subscribed = False
    events_at_start = 0
    for line in p.stdout:
        if line.startswith("subscribed"):
            subscribed = True
            setup_s = time.monotonic() - start
            time.sleep(5)  # let the first pulls and renewals settle, as ours does
            break
        if time.monotonic() - start > 180:
            break
    if not subscribed:
        p.kill()
        return None
    cpu0 = cpu_seconds(p.pid)
    t0 = time.monotonic()
    time.sleep(seconds)
    cpu = cpu_seconds(p.pid) - cpu0
    with open(f"/proc/{p.pid}/status") as f:
        rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:")) / 1024
    p.kill()
    return {"setup_s": setup_s, "cpu_s": cpu, "cpu_percent": 100 * cpu / (time.monotonic() - t0), "rss_mib": rss}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cameras", type=int, default=1000)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--no-peer", action="store_true")
    a = ap.parse_args()
    digits = len(str(a.cameras - 1))
    camsim, port = start_camsim(a.cameras, digits)
    try:
        ours = run_ours(port, a.cameras, digits, a.seconds, camsim)
        peer = None if a.no_peer else run_peer(port, a.cameras, digits, a.seconds)
    finally:
        camsim.kill()
    print(f"{a.cameras} cameras, motion 5 s every 30 s each, steady state over {a.seconds} s (2 cores)")
    print(f"{'':34} {'subscribed':>10} {'setup s':>8} {'CPU s':>7} {'CPU %':>6} {'RSS MiB':>8}")
    print(f"{'sightline (EventSubscriber)':34} {ours['subscribed']:>10} {ours['setup_s']:>8.1f} {ours['cpu_s']:>7.2f} "
          f"{ours['cpu_percent']:>6.2f} {ours['rss_mib']:>8.1f}")
    if peer:
        ratio = peer["cpu_s"] / ours["cpu_s"] if ours["cpu_s"] > 0 else float("inf")
        print(f"{'npm onvif 0.8.3 (peer)':34} {a.cameras:>10} {peer['setup_s']:>8.1f} {peer['cpu_s']:>7.2f} "
              f"{peer['cpu_percent']:>6.2f} {peer['rss_mib']:>8.1f}")
        print(f"peer / sightline CPU: {ratio:.2f}")
    elif not a.no_peer:
        print("npm onvif (peer): did not subscribe to every camera within 180 s")
    print(f"sightline: {ours['signals']} signals, {ours['pulls']} pulls, {ours['failures']} failures, "
          f"stop {ours['stop_s']:.2f} s; camsim CPU during our run {ours['camsim_cpu_s']:.1f} s")


if __name__ == "__main__":
    main()
