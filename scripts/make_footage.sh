#!/usr/bin/env bash
# Makes the demo's camera footage from real CCTV that Debian ships (opencv-doc's vtest.avi,
# PETS2009 S2.L1, see ../shared/media/README.md): an H.264 1080p10 main stream, a 360p10
# substream and an H.265 1080p10 stream, all with a fixed 2 s GOP and SPS/PPS before each IDR,
# like IP cameras. Idempotent: existing outputs are kept.
#   usage: scripts/make_footage.sh OUTDIR
set -euo pipefail
out=${1:?usage: make_footage.sh OUTDIR}
src=/usr/share/doc/opencv-doc/examples/data/vtest.avi
[ -f "$src" ] || { echo "make_footage: $src missing (apt-get install opencv-doc, or run scripts/setup.sh)" >&2; exit 1; }
mkdir -p "$out"

x264=(-c:v libx264 -preset medium -profile:v high -bf 0 -sc_threshold 0 -pix_fmt yuv420p
      -x264-params repeat-headers=1 -g 20 -keyint_min 20 -an -movflags +faststart)
make() {  # make NAME ARGS...: writes atomically so an interrupted run leaves no half file
  local name=$1; shift
  [ -s "$out/$name" ] && return 0
  echo "make_footage: $out/$name"
  ffmpeg -loglevel error -y -i "$src" -r 10 "$@" "$out/.$name.tmp.mp4"
  mv "$out/.$name.tmp.mp4" "$out/$name"
}
make main_1080p10.h264.mp4 -vf scale=1920:1080 "${x264[@]}" -b:v 4M -maxrate 4M -bufsize 4M
make sub_360p10.h264.mp4 -vf scale=640:360 "${x264[@]/high/main}" -b:v 400k -maxrate 400k -bufsize 400k
make main_1080p10.h265.mp4 -vf scale=1920:1080 -c:v libx265 -preset fast -pix_fmt yuv420p \
  -x265-params "keyint=20:min-keyint=20:scenecut=0:bframes=0:repeat-headers=1:log-level=error" \
  -tag:v hvc1 -b:v 1500k -an -movflags +faststart
