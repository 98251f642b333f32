#!/usr/bin/env python3
"""bench/ingest: the cost of receiving cameras, Sightline against ffmpeg, in the same run.

For each camera count N, one camera simulator (`sightline camsim`, a separate process whose
cost is not counted) serves N looping copies of a file. Then, one after the other on the
same cameras:
  - Sightline: one `sightline ingest` process receives and depacketizes all N streams;
  - ffmpeg:    `ffmpeg -rtsp_transport tcp -i URL -c copy -f null -`, one process per camera
               (how ffmpeg-based recorders run), for min(N, --ffmpeg-max) cameras: 1000
               ffmpeg processes would need ~50 GB here, so per-camera figures come from those.
CPU is user+system time of the measured processes (wait4 rusage) divided by stream-seconds
(cameras x seconds). RSS is the peak resident set (ru_maxrss): per camera = total / N, and
the marginal cost per added camera against the 1-camera run. Frames lost: the client's
packet-loss and dropped-frame counters, and frames received against N x seconds x fps.

usage: bench/ingest.py [--cameras 1,16,256,1000] [--seconds 60] [--file F] [--build DIR]
"""
import argparse
import os
import re
import resource
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def default_file():
    for cand in (os.path.join(ROOT, "..", "shared", "media", "pets2009_s2l1_360p10_400k.h264.mp4"),
                 os.path.join(ROOT, "demo-data", "footage", "sub_360p10.h264.mp4")):
        if os.path.exists(cand):
            return os.path.abspath(cand)
    sys.exit("bench/ingest: no 360p footage: pass --file, or run scripts/make_footage.sh demo-data/footage")


def measure(argv_list, seconds):
    """Runs the processes; returns cpu seconds, per-process peak RSS (kB), stdouts."""
    procs = [subprocess.Popen(a, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
             for a in argv_list]
    cpu, rss, outs = 0.0, [], []
    for p in procs:
        # wait4 gives each child's own rusage (user, system, max RSS).
        fd = p.stdout
        deadline = time.time() + seconds + 120
        chunks = []
        os.set_blocking(fd.fileno(), False)
        while True:
            try:
                data = fd.read()
                if data:
                    chunks.append(data)
            except (BlockingIOError, TypeError):
                pass
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                try:
                    rest = fd.read()
                    if rest:
                        chunks.append(rest)
                except (BlockingIOError, TypeError):
                    pass
                break
            if time.time() > deadline:
                p.send_signal(signal.SIGINT)
                deadline = time.time() + 15
            time.sleep(0.1)
        cpu += ru.ru_utime + ru.ru_stime
        rss.append(ru.ru_maxrss)
        outs.append(b"".join(chunks).decode(errors="replace"))
    return cpu, rss, outs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cameras", default="1,16,256,1000")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--ffmpeg-max", type=int, default=32)
    ap.add_argument("--file", default=None)
    ap.add_argument("--fps", type=float, default=10.0, help="frame rate of --file")
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "release"))
    ap.add_argument("--port", type=int, default=18554)
    ap.add_argument("--no-ffmpeg", action="store_true")
    args = ap.parse_args()
    f = os.path.abspath(args.file) if args.file else default_file()
    binary = os.path.join(args.build, "src", "app", "sightline")
    if not os.path.exists(binary):
        sys.exit(f"bench/ingest: {binary} missing: run scripts/build.sh release")
    counts = [int(x) for x in args.cameras.split(",")]
    print(f"bench/ingest: file={os.path.basename(f)} seconds={args.seconds} cpus={os.cpu_count()}", flush=True)
    rows = []
    base_rss = None
    for n in counts:
        port = args.port
        sim = subprocess.Popen([binary, "camsim", "--listen", f"127.0.0.1:{port}",
                                "--camera", f"name=cam{{0..{n - 1}}},file={f}"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)
        line = sim.stdout.readline()
        if "serving" not in line:
            sim.kill()
            sys.exit(f"bench/ingest: camsim did not start: {line!r}")
        time.sleep(1)
        ing = [binary, "ingest", "--url", f"rtsp://127.0.0.1:{port}/cam{{0..{n - 1}}}", "--interval", "0",
               "--duration", str(args.seconds), "--quiet", "--log-level", "error"]
        cpu, rss, outs = measure([ing], args.seconds)
        m = re.search(r"frames=(\d+) packets_lost=(\d+) frames_dropped=(\d+)", outs[0])
        frames, lost, dropped = (int(x) for x in m.groups()) if m else (0, -1, -1)
        row = {"n": n, "sl_cpu": cpu / (n * args.seconds), "sl_rss_mb": rss[0] / 1024.0,
               "frames": frames, "expected": int(n * args.seconds * args.fps), "lost": lost, "dropped": dropped}
        if base_rss is None and n == 1:
            base_rss = rss[0] / 1024.0
        row["sl_rss_marginal"] = (row["sl_rss_mb"] - base_rss) / (n - 1) if base_rss is not None and n > 1 else None
        if not args.no_ffmpeg:
            m_count = min(n, args.ffmpeg_max)
            ff = [["ffmpeg", "-nostdin", "-loglevel", "error", "-rtsp_transport", "tcp", "-i",
                   f"rtsp://127.0.0.1:{port}/cam{i}", "-t", str(args.seconds), "-c", "copy", "-f", "null", "-"]
                  for i in range(m_count)]
            fcpu, frss, _ = measure(ff, args.seconds)
            row["ff_n"] = m_count
            row["ff_cpu"] = fcpu / (m_count * args.seconds)
            row["ff_rss_mb"] = sum(frss) / len(frss) / 1024.0
        sim.send_signal(signal.SIGINT)
        try:
            sim.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sim.kill()
        rows.append(row)
        print_row(row, header=len(rows) == 1)
    print()
    print_table(rows)


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def print_row(r, header):
    if header:
        print("cameras  sightline_cpu_s/stream_s  rss_MB  ffmpeg_cpu_s/stream_s  ffmpeg_rss_MB/cam  frames/expected  lost  dropped", flush=True)
    print(f"{r['n']:7d}  {r['sl_cpu']:.6f}  {r['sl_rss_mb']:.1f}  {fmt(r.get('ff_cpu'), '.6f')}  "
          f"{fmt(r.get('ff_rss_mb'), '.1f')}  {r['frames']}/{r['expected']}  {r['lost']}  {r['dropped']}", flush=True)


def print_table(rows):
    print("| cameras | Sightline CPU-s per stream-s | ffmpeg CPU-s per stream-s | ratio ffmpeg/Sightline "
          "| Sightline RSS total | Sightline RSS per camera (total/N; marginal) | ffmpeg RSS per camera | ratio "
          "| frames received / expected | packets lost | frames dropped |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        per_cam = r["sl_rss_mb"] / r["n"]
        ff_cpu = r.get("ff_cpu")
        ff_rss = r.get("ff_rss_mb")
        cpu_ratio = f"{ff_cpu / r['sl_cpu']:.1f}x" if ff_cpu and r["sl_cpu"] > 0 else "-"
        rss_ratio = f"{ff_rss / per_cam:.0f}x" if ff_rss else "-"
        marginal = f"{r['sl_rss_marginal'] * 1024:.0f} kB" if r["sl_rss_marginal"] is not None else "-"
        ffn = f" ({r['ff_n']} procs)" if ff_cpu is not None and r.get("ff_n", r["n"]) != r["n"] else ""
        print(f"| {r['n']} | {r['sl_cpu']:.6f} | {fmt(ff_cpu, '.6f')}{ffn} | {cpu_ratio} | {r['sl_rss_mb']:.1f} MB "
              f"| {per_cam * 1024:.0f} kB; {marginal} | {fmt(ff_rss, '.1f')} MB | {rss_ratio} "
              f"| {r['frames']} / {r['expected']} | {r['lost']} | {r['dropped']} |")


if __name__ == "__main__":
    main()
