#!/usr/bin/env python3
"""bench/record: the cost of recording cameras to disk, Sightline against Frigate's recorder
command, in the same run on the same simulated cameras.

For each case (N cameras of a file), one camera simulator (`sightline camsim`, not counted)
serves N looping copies. Then, one after the other:
  - Sightline: one `sightline run` records all N streams into a temporary store (segment files
    with fsync every flush interval, the SQLite index, group commit);
  - the floor: `bench_io_floor --record` (bench/io_floor.cc) plays the same N cameras and
    only moves their bytes: recv, write() to one file per camera, fdatasync of each every 1 s
    (no parsing, no fragments, no index): the kernel's share, under any recorder that makes
    its data durable every second;
  - ffmpeg: Frigate's record command, one process per camera, for min(N, --ffmpeg-max)
    cameras: ffmpeg -rtsp_transport tcp -timeout 5000000 -use_wallclock_as_timestamps 1 -i URL
    -f segment -segment_time 10 -segment_format mp4 -reset_timestamps 1 -strftime 1 -c copy
    -an DIR/%Y%m%d%H%M%S.mp4
CPU per stream-second (steady state and whole run) and RSS as in bench/ingest.py. Frames: what
Sightline's index holds against what the cameras sent, plus its own loss counters (packets
lost, GOPs dropped because storage was too slow, GOPs lost to write errors).

usage: bench/record.py [--case 16:pets2009_s2l1_1080p10_4M.h264.mp4] [--case 1000:...]
                       [--seconds 180] [--dir /var/tmp/sightline_bench_record]
"""
import argparse
import os
import re
import shutil
import sqlite3
import sys

import ingest  # bench/ingest.py: start_camsim, stop, measure_total, fmt, ratio

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MEDIA = os.path.abspath(os.path.join(ROOT, "..", "shared", "media"))
DEFAULT_CASES = ["16:pets2009_s2l1_1080p10_4M.h264.mp4", "1000:pets2009_s2l1_360p10_400k.h264.mp4"]


def write_config(path, store_dir, port, n):
    with open(path, "w") as f:
        f.write(f"storage:\n  dirs:\n    - path: {store_dir}\n      min_free: 1GiB\n"
                f"  flush_interval: 1s\n  segment_duration: 60s\n"
                f"http:\n  listen: 127.0.0.1:0\ncameras:\n")
        for i in range(n):
            f.write(f"  cam{i}:\n    streams:\n      main:\n"
                    f"        url: rtsp://127.0.0.1:{port}/cam{i}\n        roles: [record]\n")


def index_frames(index_path):
    db = sqlite3.connect(f"file:{index_path}?mode=ro", uri=True)
    (frames,) = db.execute("SELECT coalesce(sum(frames), 0) FROM segments").fetchone()
    db.close()
    return frames


def run_case(binary, n, media_file, seconds, ffmpeg_max, port, workdir, no_ffmpeg):
    sim = ingest.start_camsim(binary, port, n, media_file, "bench/record")
    store_dir = os.path.join(workdir, f"sightline_{n}")
    shutil.rmtree(store_dir, ignore_errors=True)
    os.makedirs(store_dir)
    cfg = os.path.join(workdir, f"sightline_{n}.yaml")
    write_config(cfg, store_dir, port, n)
    run = [binary, "run", "--config", cfg, "--duration", str(seconds), "--status", "0",
           "--log-level", "error"]
    r = ingest.measure_total([run], seconds, others=[sim.pid])
    m = re.search(r"frames=(\d+) gops_written=(\d+) gops_dropped_slow=(\d+) gops_lost_write_error=(\d+) "
                  r"packets_lost=(\d+) frames_dropped=(\d+)", r["outs"][0])
    received, _, slow, write_err, lost, dropped = (int(x) for x in m.groups()) if m else (0, 0, -1, -1, -1, -1)
    recorded = index_frames(os.path.join(store_dir, "index.db"))
    disk_mb = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(store_dir) for f in fs) / 1e6
    row = {"n": n, "file": os.path.basename(media_file),
           "sl_cpu": r["cpu"] / (n * r["window"]), "sl_total": r["total_cpu"] / (n * seconds),
           "sl_rss_mb": r["rss_kb"][0] / 1024.0, "received": received, "recorded": recorded,
           "slow": slow, "write_err": write_err, "lost": lost, "dropped": dropped, "disk_mb": disk_mb,
           "camsim_cores": r["others_cpu"] / r["window"]}
    shutil.rmtree(store_dir, ignore_errors=True)
    floor = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(binary))), "bench", "bench_io_floor")
    if os.path.exists(floor):
        floor_dir = os.path.join(workdir, f"floor_{n}")
        shutil.rmtree(floor_dir, ignore_errors=True)
        os.makedirs(floor_dir)
        fl = ingest.measure_total([[floor, "--url", f"rtsp://127.0.0.1:{port}/cam", "--cameras", str(n),
                                    "--seconds", str(seconds), "--record", floor_dir, "--flush-ms", "1000"]],
                                  seconds)
        row["fl_cpu"] = fl["cpu"] / (n * fl["window"])
        shutil.rmtree(floor_dir, ignore_errors=True)
    else:
        print(f"bench/record: {floor} missing: the floor column stays empty", flush=True)
    if not no_ffmpeg:
        m_count = min(n, ffmpeg_max)
        ff = []
        for i in range(m_count):
            d = os.path.join(workdir, f"ffmpeg_{n}_{i}")
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d)
            ff.append(["ffmpeg", "-nostdin", "-loglevel", "error", "-rtsp_transport", "tcp",
                       "-timeout", "5000000", "-use_wallclock_as_timestamps", "1",
                       "-i", f"rtsp://127.0.0.1:{port}/cam{i}", "-t", str(seconds),
                       "-f", "segment", "-segment_time", "10", "-segment_format", "mp4",
                       "-reset_timestamps", "1", "-strftime", "1", "-c", "copy", "-an",
                       os.path.join(d, "%Y%m%d%H%M%S.mp4")])
        fr = ingest.measure_total(ff, seconds)
        row["ff_n"] = m_count
        row["ff_cpu"] = fr["cpu"] / (m_count * fr["window"])
        row["ff_total"] = fr["total_cpu"] / (m_count * seconds)
        row["ff_rss_mb"] = sum(fr["rss_kb"]) / len(fr["rss_kb"]) / 1024.0
        for i in range(m_count):
            shutil.rmtree(os.path.join(workdir, f"ffmpeg_{n}_{i}"), ignore_errors=True)
    ingest.stop(sim)
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", action="append", help="N:FILE (FILE in ../shared/media or a path)")
    ap.add_argument("--seconds", type=int, default=180)
    ap.add_argument("--fps", type=float, default=10.0)
    ap.add_argument("--ffmpeg-max", type=int, default=32)
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "release"))
    ap.add_argument("--dir", default="/var/tmp/sightline_bench_record")
    ap.add_argument("--port", type=int, default=19554)
    ap.add_argument("--no-ffmpeg", action="store_true")
    args = ap.parse_args()
    binary = os.path.join(args.build, "src", "app", "sightline")
    if not os.path.exists(binary):
        sys.exit(f"bench/record: {binary} missing: run scripts/build.sh release")
    os.makedirs(args.dir, exist_ok=True)
    rows = []
    for i, case in enumerate(args.case or DEFAULT_CASES):
        n, name = case.split(":", 1)
        path = name if os.path.exists(name) else os.path.join(MEDIA, name)
        if not os.path.exists(path):
            sys.exit(f"bench/record: no such file {path}")
        print(f"bench/record: {n} cameras of {os.path.basename(path)} for {args.seconds} s", flush=True)
        row = run_case(binary, int(n), path, args.seconds, args.ffmpeg_max, args.port + i, args.dir,
                       args.no_ffmpeg)
        row["expected"] = int(int(n) * args.seconds * args.fps)
        rows.append(row)
        print(row, flush=True)
    print()
    print("| cameras | file | Sightline CPU-s per stream-s, steady | ffmpeg (Frigate record), steady | ratio "
          "| floor (recv + write + fdatasync), steady | floor's ratio "
          "| Sightline, whole run | ffmpeg, whole run | ratio | Sightline RSS total; per camera "
          "| ffmpeg RSS per camera | frames recorded / received / cameras x s x fps "
          "| packets lost | GOPs dropped (slow disk) | GOPs lost (write errors) | disk written | camsim CPU |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    fmt, ratio = ingest.fmt, ingest.ratio
    for r in rows:
        ffn = f" ({r['ff_n']} procs)" if "ff_n" in r and r["ff_n"] != r["n"] else ""
        print(f"| {r['n']} | {r['file']} | {r['sl_cpu']:.6f} | {fmt(r.get('ff_cpu'), '.6f')}{ffn} "
              f"| {ratio(r.get('ff_cpu'), r['sl_cpu'])} | {fmt(r.get('fl_cpu'), '.6f')} "
              f"| {ratio(r.get('ff_cpu'), r.get('fl_cpu'))} | {r['sl_total']:.6f} | {fmt(r.get('ff_total'), '.6f')} "
              f"| {ratio(r.get('ff_total'), r['sl_total'])} | {r['sl_rss_mb']:.1f} MB; "
              f"{r['sl_rss_mb'] * 1024 / r['n']:.0f} kB | {fmt(r.get('ff_rss_mb'), '.1f')} MB "
              f"| {r['recorded']} / {r['received']} / {r['expected']} | {r['lost']} | {r['slow']} "
              f"| {r['write_err']} | {r['disk_mb']:.0f} MB | {r['camsim_cores']:.3f} |")


if __name__ == "__main__":
    main()
