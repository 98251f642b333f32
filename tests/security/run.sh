#!/usr/bin/env bash
# The live attacks of security-review-1, replayed against a running `sightline run` on
# 127.0.0.1 (free ports, a temporary folder), each script with its own target from issue 11.
# Each script is called with the server's URL; SIGHTLINE_URL, SIGHTLINE_PID,
# SIGHTLINE_ADMIN_USER and SIGHTLINE_ADMIN_PASSWORD are in its environment.
# Needs a release build (scripts/build.sh release sightline) and the demo footage
# (scripts/make_footage.sh, made here when missing). Every loop is bounded; the whole run takes
# about 3 minutes. Exit status: the number of scripts that failed.
#   usage: tests/security/run.sh [SCRIPT.py ...]   (default: all, in a fixed order)
set -euo pipefail
cd "$(dirname "$0")/../.."
here=tests/security
bin=${SIGHTLINE_BUILD:-build/release}/src/app/sightline
[ -x "$bin" ] || { echo "security: build sightline first (scripts/build.sh release sightline)" >&2; exit 1; }
bash scripts/make_footage.sh demo-data/footage >/dev/null
# cam0 at 1080p, 4 Mbit/s: an export of it outgrows the socket buffers, so exports.py can hold
# one open while it asks for a second.
main=$PWD/demo-data/footage/main_1080p10.h264.mp4 sub=$PWD/demo-data/footage/sub_360p10.h264.mp4

dir=$(mktemp -d /tmp/sightline-security.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
http_port=$(free_port)
rtsp_port=$(free_port)
camsim= run=
stop() {
  [ -n "$run" ] && kill -INT "$run" 2>/dev/null && wait "$run" 2>/dev/null
  [ -n "$camsim" ] && kill "$camsim" 2>/dev/null && wait "$camsim" 2>/dev/null
  rm -rf "$dir"
  return 0
}
trap stop EXIT

"$bin" camsim --listen "127.0.0.1:$rtsp_port" --stats-interval 0 \
  --camera "name=cam0,file=$main" --camera "name=cam1,file=$sub" >"$dir/camsim.log" 2>&1 &
camsim=$!
config=$dir/sightline.yaml
cat >"$config" <<YAML
storage:
  dirs: [$dir/store]
  segment_duration: 10s
http:
  listen: 127.0.0.1:$http_port
cameras:
  cam0:
    streams:
      main: {url: rtsp://127.0.0.1:$rtsp_port/cam0, roles: [record, live]}
  cam1:
    streams:
      main: {url: rtsp://127.0.0.1:$rtsp_port/cam1, roles: [record, live]}
YAML
mkdir -p "$dir/store"
add_user() {  # name password role [camera]
  echo "$2" | "$bin" user add "$1" --role "$3" --password-stdin --config "$config" >/dev/null
  [ -z "${4:-}" ] || "$bin" user grant "$1" --camera "$4" --config "$config" >/dev/null
}
add_user admin admin-password-1 admin
add_user viewer1 viewer-password-1 viewer cam0
add_user op1 operator-password-1 operator cam0

"$bin" run --config "$config" --log-level warning >"$dir/run.log" 2>&1 &
run=$!
url=http://127.0.0.1:$http_port
for _ in $(seq 200); do
  python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "$url/api/health" \
    2>/dev/null && break
  kill -0 "$run" 2>/dev/null || { cat "$dir/run.log" >&2; echo "security: sightline run stopped" >&2; exit 1; }
  sleep 0.1
done
sleep 3  # a few seconds of recording for the scripts that watch or export
export SIGHTLINE_URL=$url SIGHTLINE_PID=$run SIGHTLINE_ADMIN_USER=admin SIGHTLINE_ADMIN_PASSWORD=admin-password-1

# The password spray spends the server's budget of failed logins: it runs last. Exports come
# after a minute of recording.
scripts=("$@")
if ((${#scripts[@]} == 0)); then
  for s in login_memory.py live_revoke.py slowloris.py exports.py spray.py; do
    [ -f "$here/$s" ] && scripts+=("$s")
  done
fi
failed=0
for s in "${scripts[@]}"; do
  echo "=== security: $s"
  extra=()
  case "$s" in
    exports.py) extra=(op1 operator-password-1 --also admin:admin-password-1 --data-dir "$dir/store"
                       --seconds 20 --workers 4 --duration 15) ;;
  esac
  timeout 600 python3 "$here/$s" "$url" "${extra[@]}" || failed=$((failed + 1))
  kill -0 "$run" 2>/dev/null || { echo "security: sightline run died during $s" >&2; tail -30 "$dir/run.log" >&2; exit 1; }
done
echo "security: $((${#scripts[@]} - failed)) passed, $failed failed"
exit "$failed"
