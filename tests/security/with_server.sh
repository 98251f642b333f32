#!/usr/bin/env bash
# Runs a command against a fresh `sightline run` on 127.0.0.1: two camsim cameras playing the
# shared 360p clip, free ports, a temporary folder, an admin. The command gets
# SIGHTLINE_URL, SIGHTLINE_ADMIN_USER, SIGHTLINE_ADMIN_PASSWORD and SIGHTLINE_PID (for RSS
# readings) in its environment; its exit status is ours. Build sightline first
# (scripts/build.sh release sightline).
#   tests/security/with_server.sh sh -c 'tests/security/slowloris.py "$SIGHTLINE_URL"'
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${SIGHTLINE_BUILD:-build/release}/src/app/sightline
media=${SIGHTLINE_MEDIA:-$(cd .. && pwd)/shared/media/pets2009_s2l1_360p10_400k.h264.mp4}
[ -x "$bin" ] || { echo "with_server: build $bin first" >&2; exit 2; }
[ -f "$media" ] || { echo "with_server: no clip at $media (set SIGHTLINE_MEDIA)" >&2; exit 2; }
dir=$(mktemp -d /tmp/sightline-security.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rtsp_port=$(free_port)
camsim= run=
stop() {
  [ -n "$run" ] && kill -INT "$run" 2>/dev/null && wait "$run" 2>/dev/null
  [ -n "$camsim" ] && kill "$camsim" 2>/dev/null && wait "$camsim" 2>/dev/null
  rm -rf "$dir"
}
trap stop EXIT
"$bin" camsim --listen "127.0.0.1:$rtsp_port" --stats-interval 0 --camera "name=cam{0..1},file=$media" \
  >"$dir/camsim.log" 2>&1 &
camsim=$!
for _ in $(seq 100); do grep -q 'camsim: serving' "$dir/camsim.log" && break; sleep 0.1; done
cat >"$dir/sightline.yaml" <<YAML
storage:
  dirs: [$dir/store]
  segment_duration: 10s
http:
  listen: 127.0.0.1:0
cameras:
  cam0:
    streams:
      main: {url: rtsp://127.0.0.1:$rtsp_port/cam0, roles: [record, live, detect]}
  cam1:
    streams:
      main: {url: rtsp://127.0.0.1:$rtsp_port/cam1, roles: [record, live]}
YAML
mkdir -p "$dir/store"
password=security-admin-password
echo "$password" | "$bin" user add admin --role admin --password-stdin --config "$dir/sightline.yaml" >/dev/null
"$bin" run --config "$dir/sightline.yaml" --log-level warning >"$dir/run.log" 2>&1 &
run=$!
url=
for _ in $(seq 200); do
  url=$(sed -n 's|^http: serving \(http://[^ ]*\)/$|\1|p' "$dir/run.log")
  [ -n "$url" ] && break
  kill -0 "$run" 2>/dev/null || { cat "$dir/run.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { cat "$dir/run.log" >&2; echo "with_server: sightline run did not start" >&2; exit 1; }
status=0
SIGHTLINE_URL=$url SIGHTLINE_ADMIN_USER=admin SIGHTLINE_ADMIN_PASSWORD=$password SIGHTLINE_PID=$run "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "with_server: '$*' failed ($status); the server's log:" >&2
  tail -20 "$dir/run.log" >&2
fi
exit "$status"
