#!/usr/bin/env bash
# The demo, from a fresh Debian 12: installs dependencies, builds, makes camera footage from
# real CCTV (Debian's opencv-doc), starts simulated cameras (`sightline camsim`) and receives
# them (`sightline ingest`), printing per-camera fps and bitrate. Ctrl-C stops everything.
#   environment: DEMO_PORT (default 8554), DEMO_DIR (default ./demo-data)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release sightline
dir=${DEMO_DIR:-demo-data}
port=${DEMO_PORT:-8554}
bash scripts/make_footage.sh "$dir/footage"
bin=build/release/src/app/sightline

# Four cameras, each with a 1080p main stream and a 360p substream, plus one H.265 camera.
# cam3 misbehaves on purpose (drops its connection every 40 s, a packet gap every 15 s) to
# show recovery; the other cameras are unaffected.
"$bin" camsim --listen "127.0.0.1:$port" \
  --camera "name=cam{0..2},file=$dir/footage/main_1080p10.h264.mp4" \
  --camera "name=cam{0..3}-sub,file=$dir/footage/sub_360p10.h264.mp4" \
  --camera "name=cam3,file=$dir/footage/main_1080p10.h264.mp4,drop=40,gap=15" \
  --camera "name=hevc,file=$dir/footage/main_1080p10.h265.mp4" >"$dir/camsim.log" 2>&1 &
camsim=$!
trap 'kill $camsim 2>/dev/null; wait $camsim 2>/dev/null' EXIT
sleep 1
echo "demo: cameras at rtsp://127.0.0.1:$port/{cam0..cam3,cam0-sub..cam3-sub,hevc} (simulator log: $dir/camsim.log)"
echo "demo: receiving them; a table every 5 s; Ctrl-C stops"
"$bin" ingest --interval 5 \
  --url "rtsp://127.0.0.1:$port/cam{0..3}" --url "rtsp://127.0.0.1:$port/cam{0..3}-sub" \
  --url "rtsp://127.0.0.1:$port/hevc" || true
