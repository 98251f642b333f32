#!/usr/bin/env python3
"""bench/ingest: the cost of receiving cameras, Sightline against ffmpeg, in the same run.

For each camera count N, one camera simulator (`sightline camsim`, a separate process whose
cost is not counted) serves N looping copies of a file. Then, one after the other on the
same cameras:
  - Sightline: one `sightline ingest` process receives and depacketizes all N streams;
  - the floor: `bench_io_floor` (bench/io_floor.cc) plays the same N cameras and only
               receives their bytes (epoll, one recv per ready socket, no parsing): the
               kernel's share, under any receiver's cost on this machine;
  - ffmpeg:    `ffmpeg -rtsp_transport tcp -i URL -c copy -f null -`, one process per camera
               (how ffmpeg-based recorders run), for min(N, --ffmpeg-max) cameras: 1000
               ffmpeg processes would need ~50 GB here, so per-camera figures come from those.
CPU per stream-second is given two ways: steady state (CPU of all threads over a window from
5 s after start to 2 s before the end, from /proc/PID/task/*/schedstat, divided by cameras x
window: what a recorder that runs for months pays) and whole run (user+system of the
processes including start-up and connection set-up, divided by cameras x seconds). RSS is
VmRSS at the end of the window: per camera = total / N, and the marginal cost per added
camera against the 1-camera run. camsim's own CPU over the same window is shown too. Frames lost: the client's
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


def cpu_seconds(pid):
    """CPU time of every live thread of `pid`, in seconds (ns resolution, from schedstat)."""
    total = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                    total += int(f.read().split()[0])
            except (FileNotFoundError, ProcessLookupError):
                pass
    except FileNotFoundError:
        pass
    return total / 1e9


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def start_camsim(binary, port, n, media_file, who):
    """`sightline camsim` serving cam0..cam{n-1} from `media_file` on 127.0.0.1:port, once it
    says it is serving. Its log goes to /tmp/bench_camsim.log."""
    sim = subprocess.Popen([binary, "camsim", "--listen", f"127.0.0.1:{port}",
                            "--camera", f"name=cam{{0..{n - 1}}},file={media_file}"],
                           stdout=subprocess.PIPE, stderr=open("/tmp/bench_camsim.log", "w"),
                           stdin=subprocess.DEVNULL, text=True)
    line = sim.stdout.readline()
    if "serving" not in line:
        sim.kill()
        sys.exit(f"{who}: camsim did not start: {line!r}")
    time.sleep(1)
    return sim


def stop(proc):
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def measure(argv_list, seconds, others=(), warmup=5.0):
    """Runs the processes (each ends by itself after `seconds`). Returns a dict with the
    steady-state CPU seconds of the processes over a window from `warmup` to `seconds - 2`
    (connection set-up and process start excluded), the window length, their RSS at the end
    of the window, the CPU of `others` (pids, e.g. the camera simulator) over the same
    window, whole-run CPU and peak RSS (wait4 rusage), and their stdouts."""
    procs = [subprocess.Popen(a, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
             for a in argv_list]
    start = time.time()
    time.sleep(warmup)
    c0 = sum(cpu_seconds(p.pid) for p in procs)
    o0 = sum(cpu_seconds(pid) for pid in others)
    w0 = time.time()
    time.sleep(max(1.0, seconds - 2 - (w0 - start)))
    c1 = sum(cpu_seconds(p.pid) for p in procs)
    o1 = sum(cpu_seconds(pid) for pid in others)
    w1 = time.time()
    rss = [rss_kb(p.pid) for p in procs]
    total_cpu, peak_rss, outs = 0.0, [], []
    for p in procs:
        try:
            out, _ = p.communicate(timeout=seconds + 60)
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGINT)
            out, _ = p.communicate()
        outs.append(out.decode(errors="replace"))
    return {"cpu": c1 - c0, "window": w1 - w0, "rss_kb": rss, "others_cpu": o1 - o0, "outs": outs}


def measure_total(argv_list, seconds, others=()):
    """measure() plus the whole-run CPU of the measured processes (start-up included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = measure(argv_list, seconds, others)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    r["total_cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return r


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
    floor = os.path.join(args.build, "bench", "bench_io_floor")
    if not os.path.exists(floor):
        print(f"bench/ingest: {floor} missing: the floor column stays empty", flush=True)
    print(f"bench/ingest: file={os.path.basename(f)} seconds={args.seconds} cpus={os.cpu_count()}", flush=True)
    rows = []
    base_rss = None
    for i, n in enumerate(counts):
        port = args.port + i  # a fresh port: the previous simulator may still be closing
        sim = start_camsim(binary, port, n, f, "bench/ingest")
        ing = [binary, "ingest", "--url", f"rtsp://127.0.0.1:{port}/cam{{0..{n - 1}}}", "--interval", "0",
               "--duration", str(args.seconds), "--quiet", "--log-level", "error"]
        r = measure_total([ing], args.seconds, others=[sim.pid])
        m = re.search(r"frames=(\d+) packets_lost=(\d+) frames_dropped=(\d+)", r["outs"][0])
        frames, lost, dropped = (int(x) for x in m.groups()) if m else (0, -1, -1)
        rss_mb = r["rss_kb"][0] / 1024.0
        row = {"n": n, "sl_cpu": r["cpu"] / (n * r["window"]), "sl_total": r["total_cpu"] / (n * args.seconds),
               "sl_rss_mb": rss_mb, "frames": frames, "expected": int(n * args.seconds * args.fps),
               "lost": lost, "dropped": dropped, "camsim_cores": r["others_cpu"] / r["window"]}
        if base_rss is None and n == 1:
            base_rss = rss_mb
        row["sl_rss_marginal"] = (rss_mb - base_rss) / (n - 1) if base_rss is not None and n > 1 else None
        if os.path.exists(floor):
            fl = measure_total([[floor, "--url", f"rtsp://127.0.0.1:{port}/cam", "--cameras", str(n),
                                 "--seconds", str(args.seconds)]], args.seconds)
            row["fl_cpu"] = fl["cpu"] / (n * fl["window"])
        if not args.no_ffmpeg:
            m_count = min(n, args.ffmpeg_max)
            ff = [["ffmpeg", "-nostdin", "-loglevel", "error", "-rtsp_transport", "tcp", "-i",
                   f"rtsp://127.0.0.1:{port}/cam{i}", "-t", str(args.seconds), "-c", "copy", "-f", "null", "-"]
                  for i in range(m_count)]
            fr = measure_total(ff, args.seconds)
            row["ff_n"] = m_count
            row["ff_cpu"] = fr["cpu"] / (m_count * fr["window"])
            row["ff_total"] = fr["total_cpu"] / (m_count * args.seconds)
            row["ff_rss_mb"] = sum(fr["rss_kb"]) / len(fr["rss_kb"]) / 1024.0
        stop(sim)
        rows.append(row)
        print_row(row, header=len(rows) == 1)
    print()
    print_table(rows)


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def ratio(a, b):
    return f"{a / b:.1f}x" if a is not None and b else "-"


def print_row(r, header):
    if header:
        print("cameras  sightline_cpu_s/stream_s(steady,whole)  rss_MB  ffmpeg_cpu_s/stream_s(steady,whole)  "
              "ffmpeg_rss_MB/cam  frames/expected  lost  dropped  camsim_cores", flush=True)
    print(f"{r['n']:7d}  {r['sl_cpu']:.6f},{r['sl_total']:.6f}  {r['sl_rss_mb']:.1f}  "
          f"{fmt(r.get('ff_cpu'), '.6f')},{fmt(r.get('ff_total'), '.6f')}  {fmt(r.get('ff_rss_mb'), '.1f')}  "
          f"{r['frames']}/{r['expected']}  {r['lost']}  {r['dropped']}  {r['camsim_cores']:.3f}", flush=True)


def print_table(rows):
    print("| cameras | Sightline CPU-s per stream-s, steady | ffmpeg, steady | ratio "
          "| floor (recv only), steady | floor's ratio "
          "| Sightline, whole run | ffmpeg, whole run | ratio "
          "| Sightline RSS: total; per camera; marginal | ffmpeg RSS per camera | ratio "
          "| frames received / expected | packets lost | frames dropped | camsim CPU (cores) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        per_cam = r["sl_rss_mb"] / r["n"]
        marginal = f"{r['sl_rss_marginal'] * 1024:.0f} kB" if r["sl_rss_marginal"] is not None else "-"
        ffn = f" ({r['ff_n']} procs)" if "ff_n" in r and r["ff_n"] != r["n"] else ""
        print(f"| {r['n']} | {r['sl_cpu']:.6f} | {fmt(r.get('ff_cpu'), '.6f')}{ffn} | {ratio(r.get('ff_cpu'), r['sl_cpu'])} "
              f"| {fmt(r.get('fl_cpu'), '.6f')} | {ratio(r.get('ff_cpu'), r.get('fl_cpu'))} "
              f"| {r['sl_total']:.6f} | {fmt(r.get('ff_total'), '.6f')} | {ratio(r.get('ff_total'), r['sl_total'])} "
              f"| {r['sl_rss_mb']:.1f} MB; {per_cam * 1024:.0f} kB; {marginal} | {fmt(r.get('ff_rss_mb'), '.1f')} MB "
              f"| {ratio(r.get('ff_rss_mb'), per_cam)} | {r['frames']} / {r['expected']} | {r['lost']} | {r['dropped']} "
              f"| {r['camsim_cores']:.3f} |")


if __name__ == "__main__":
    main()
