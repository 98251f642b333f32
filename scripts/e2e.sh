#!/usr/bin/env bash
# Browser tests (web/e2e) against a running demo: starts scripts/demo.sh in a temporary
# folder on free ports (without setup or build: run scripts/build.sh release sightline and
# scripts/build_web.sh first, as scripts/test.sh does), adds a viewer allowed two cameras,
# runs the tests in headless Chromium, stops the demo. Screenshots: build/e2e-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${SIGHTLINE_BUILD:-build/release}/src/app/sightline
[ -x "$bin" ] && [ -f web/dist/index.html ] || { echo "e2e: build sightline and web/dist first" >&2; exit 1; }
dir=$(mktemp -d /tmp/sightline-e2e.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
http_port=$(free_port)
rtsp_port=$(free_port)
# Footage is made once and kept between runs; made here, before the demo starts, so that the
# wait for the demo below does not include minutes of encoding on a fresh machine.
bash scripts/make_footage.sh demo-data/footage
mkdir -p "$dir/demo"
ln -s "$PWD/demo-data/footage" "$dir/demo/footage"

DEMO_SKIP_SETUP=1 DEMO_DIR="$dir/demo" DEMO_HTTP="127.0.0.1:$http_port" DEMO_RTSP_PORT="$rtsp_port" \
  setsid bash scripts/demo.sh >"$dir/demo.log" 2>&1 &
demo=$!
# Ctrl-C to the demo's process group (camsim and sightline run stop cleanly); its exit status
# (130) is not ours.
stop() {
  kill -INT -- "-$demo" 2>/dev/null || true
  wait "$demo" 2>/dev/null || true
  rm -rf "$dir"
}
trap stop EXIT
for _ in $(seq 600); do
  grep -q '^demo: Sightline is running' "$dir/demo.log" && break
  kill -0 "$demo" 2>/dev/null || { cat "$dir/demo.log" >&2; echo "e2e: the demo did not start" >&2; exit 1; }
  sleep 0.5
done
grep -q '^demo: Sightline is running' "$dir/demo.log" || { cat "$dir/demo.log" >&2; exit 1; }
config="$dir/demo/sightline.yaml"
echo viewer-password | "$bin" user add viewer --role viewer --password-stdin --config "$config" >/dev/null
"$bin" user grant viewer --camera cam0 --camera cam1 --config "$config" >/dev/null

export SIGHTLINE_URL="http://127.0.0.1:$http_port"
export SIGHTLINE_ADMIN_USER=admin SIGHTLINE_ADMIN_PASSWORD=sightline-demo
export SIGHTLINE_VIEWER_USER=viewer SIGHTLINE_VIEWER_PASSWORD=viewer-password SIGHTLINE_VIEWER_CAMERAS=cam0,cam1
export SIGHTLINE_FOOTAGE="$PWD/demo-data/footage/main_1080p10.h264.mp4"
export SIGHTLINE_CAMSIM_LOG="$dir/demo/camsim.log"
# The Add cameras test starts a camsim of its own and writes new cameras into the demo's config.
export SIGHTLINE_BIN="$(realpath "$bin")" SIGHTLINE_CONFIG="$config"
export ARTIFACTS_DIR="$PWD/build/e2e-artifacts"
rm -rf "$ARTIFACTS_DIR"
status=0
node web/e2e/run.mjs || status=$?
if [ "$status" -ne 0 ]; then
  echo "e2e: failed ($status); the demo's log:" >&2
  tail -50 "$dir/demo/run.log" >&2 || true
fi
exit "$status"
