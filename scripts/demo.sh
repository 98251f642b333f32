#!/usr/bin/env bash
# The demo, from a fresh Debian 12: installs dependencies, builds Sightline and its web UI, makes
# camera footage from real CCTV (Debian's opencv-doc), starts simulated cameras (`sightline
# camsim`) and the recorder with its web UI (`sightline run`) on an embedded store in a local
# folder, creates a demo admin, and prints the URL and the login. Ctrl-C stops everything.
#   environment: DEMO_DIR (default ./demo-data), DEMO_RTSP_PORT (default 8554),
#                DEMO_HTTP (default 127.0.0.1:8080), DEMO_SKIP_SETUP=1 (no apt, no build),
#                SIGHTLINE_BUILD (the build folder, default build/release),
#                DEMO_MQTT_PORT (default 1883; the demo's own mosquitto broker, docs/ref/mqtt.md)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${DEMO_SKIP_SETUP:-}" != 1 ]; then
  bash scripts/setup.sh
  bash scripts/build.sh release sightline
  bash scripts/build_web.sh
fi
dir=$(mkdir -p "${DEMO_DIR:-demo-data}" && cd "${DEMO_DIR:-demo-data}" && pwd)
rtsp_port=${DEMO_RTSP_PORT:-8554}
http=${DEMO_HTTP:-127.0.0.1:8080}
bash scripts/make_footage.sh "$dir/footage"
bin=${SIGHTLINE_BUILD:-build/release}/src/app/sightline
admin_password=sightline-demo

# Four cameras, each a 1080p main stream and a 360p substream of the same moment, plus a camera
# whose main stream is H.265. cam3 misbehaves on purpose (drops its connection every 40 s, a
# packet gap every 15 s) to show recovery; the others are unaffected.
f=$dir/footage
# A sixth camera "ptz" is given as onvif: on camsim's simulated ONVIF device, with a PTZ head
# whose position moves (the live view's PTZ pad). The ONVIF port is free-picked; camsim prints it.
"$bin" camsim --listen "127.0.0.1:$rtsp_port" --stats-interval 0 \
  --onvif 127.0.0.1:0 --camera "name=ptz,file=$f/sub_360p10.h264.mp4,start=8" \
  --camera "name=cam0,file=$f/main_1080p10.h264.mp4,start=0" \
  --camera "name=cam0-sub,file=$f/sub_360p10.h264.mp4,start=0" \
  --camera "name=cam1,file=$f/main_1080p10.h264.mp4,start=16" \
  --camera "name=cam1-sub,file=$f/sub_360p10.h264.mp4,start=16" \
  --camera "name=cam2,file=$f/main_1080p10.h264.mp4,start=32" \
  --camera "name=cam2-sub,file=$f/sub_360p10.h264.mp4,start=32" \
  --camera "name=cam3,file=$f/main_1080p10.h264.mp4,start=48,drop=40,gap=15" \
  --camera "name=cam3-sub,file=$f/sub_360p10.h264.mp4,start=48" \
  --camera "name=hevc,file=$f/main_1080p10.h265.mp4,start=64" \
  --camera "name=hevc-sub,file=$f/sub_360p10.h264.mp4,start=64" >"$dir/camsim.log" 2>&1 &
camsim=$!
mosquitto=
run=
cleanup() {
  [ -n "$run" ] && kill -INT "$run" 2>/dev/null && wait "$run" 2>/dev/null
  kill "$camsim" 2>/dev/null; wait "$camsim" 2>/dev/null
  kill "$mosquitto" 2>/dev/null; wait "$mosquitto" 2>/dev/null
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# An MQTT broker of the demo's own (Debian's mosquitto, from setup.sh), on localhost only:
# Sightline publishes events, motion, stats and Home Assistant discovery to it.
mqtt_port=${DEMO_MQTT_PORT:-1883}
printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$mqtt_port" >"$dir/mosquitto.conf"
/usr/sbin/mosquitto -c "$dir/mosquitto.conf" >"$dir/mosquitto.log" 2>&1 &
mosquitto=$!
# camsim's log ($dir/camsim.log) has each session's clock (which frame it sent when): the
# browser tests use it to know which source frame is on screen at a given time.
for _ in $(seq 300); do
  grep -q 'camsim: onvif' "$dir/camsim.log" 2>/dev/null && break  # printed after 'camsim: serving'
  kill -0 "$camsim" 2>/dev/null || { echo "demo: camsim stopped; see $dir/camsim.log" >&2; exit 1; }
  sleep 0.1
done

url="rtsp://127.0.0.1:$rtsp_port"
{
  echo "# Written by scripts/demo.sh; see docs/ref/config.md."
  echo "storage:"
  echo "  dirs: [$dir/store]"
  echo "  segment_duration: 60s"
  echo "record:"
  echo "  max_age: 7d"
  echo "http:"
  echo "  listen: $http"
  echo "mqtt: {host: 127.0.0.1, port: $mqtt_port, base_url: http://$http}"
  echo "cameras:"
  for c in cam0 cam1 cam2 cam3 hevc; do
    echo "  $c:"
    echo "    streams:"
    echo "      main: {url: $url/$c, roles: [record]}"
    echo "      sub: {url: $url/$c-sub, roles: [record, live, detect]}"
  done
  onvif_url=$(sed -n 's|^camsim: onvif \(http://[^ ]*\)/onvif/NAME/device_service$|\1|p' "$dir/camsim.log" | head -1)
  [ -n "$onvif_url" ] || { echo "demo: camsim printed no ONVIF address (see $dir/camsim.log)" >&2; exit 1; }
  echo "  ptz:"
  echo "    onvif: {host: \"$onvif_url/onvif/ptz/device_service\"}"
} >"$dir/sightline.yaml"
mkdir -p "$dir/store"
if ! "$bin" user list --config "$dir/sightline.yaml" 2>/dev/null | grep -q '^admin\b'; then
  echo "$admin_password" | "$bin" user add admin --role admin --password-stdin \
    --config "$dir/sightline.yaml" >/dev/null
fi

"$bin" run --config "$dir/sightline.yaml" --log-level warning > >(tee "$dir/run.log") 2>&1 &
run=$!
for _ in $(seq 100); do
  grep -q '^http: serving' "$dir/run.log" 2>/dev/null && break
  kill -0 "$run" 2>/dev/null || { echo "demo: sightline run stopped; see $dir/run.log" >&2; exit 1; }
  sleep 0.2
done
echo
echo "demo: Sightline is running: open $(sed -n 's/^http: serving //p' "$dir/run.log" | head -1)"
echo "demo: log in as admin, password $admin_password"
echo "demo: cameras: rtsp://127.0.0.1:$rtsp_port/{cam0..cam3,hevc} (+ -sub), recordings in $dir/store"
echo "demo: MQTT on 127.0.0.1:$mqtt_port: sightline/available, sightline/events, sightline/stats,"
echo "demo:   sightline/<camera>/{status,motion,snapshot,motion/state,recording/state}, homeassistant/#"
echo "demo:   watch: mosquitto_sub -p $mqtt_port -v -t 'sightline/#' -T 'sightline/+/snapshot'"
echo "demo: Ctrl-C stops everything"
wait "$run"
