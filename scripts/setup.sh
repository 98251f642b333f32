#!/usr/bin/env bash
# Installs everything Sightline needs to build, test and run its demo on Debian 12.
# Idempotent: packages already present are skipped by apt.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  ccache                                 # rebuilds of the four flavours reuse unchanged objects
  g++ clang libclang-rt-14-dev           # clang for libFuzzer targets
  libboost1.81-dev                       # Asio (C++20 coroutines) and Beast, header-only
  libssl-dev                             # MD5 for RTSP Digest auth
  libgtest-dev libgmock-dev
  libavformat-dev libavcodec-dev libavutil-dev  # demuxing in camsim and in tests
  ffmpeg                                 # peer for benchmarks, ffprobe in tests
  libgstrtspserver-1.0-dev libgstreamer1.0-dev   # interop test against GStreamer's RTSP server
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  opencv-doc                             # vtest.avi: real CCTV footage for the demo
  libopencv-video-dev                    # MOG2, the peer in bench/motion_eval
  libsqlite3-dev                         # the recording index
  libsodium-dev                          # Argon2id password hashes, random tokens (src/auth)
  libyaml-cpp-dev                        # sightline.yaml
  nlohmann-json3-dev                     # JSON of the HTTP API, the uplink's messages, MQTT payloads
  nats-server                            # multi-site: the site's leaf and the centre's broker (tests start their own)
  libnats-dev                            # multi-site: the NATS client of the forwarder and of `sightline central`
  postgresql-15                          # multi-site: the centre's catalogue (tests run their own, as user postgres)
  iproute2                               # multi-site test bed: `ip netns`, veth pairs, `tc` tbf shaping (tests/netns_harness.h)
  libpq-dev                              # multi-site: `sightline central` writes PostgreSQL through libpq
  prometheus                             # its promtool checks /metrics and docs/ops/alerts.yml; a real server scrapes in tests
  libmosquitto-dev                       # MQTT client (src/mqtt): events, stats, Home Assistant
  mosquitto                              # MQTT broker for the integration tests, bench and demo
  mosquitto-clients                      # mosquitto_sub and mosquitto_pub: watching and testing the topics
  libpugixml-dev                         # ONVIF (src/onvif): XML without DTDs or entity expansion
  onvif-tools                            # onvif-util: an independent ONVIF client that checks camsim's ONVIF services
  libcurl4-openssl-dev                   # webhooks (src/webhook): HTTPS POST with certificate checks and timeouts
  procps time python3                    # bench scripts
  libsystemd-dev                         # sd_notify: `sightline run` tells systemd it is ready and alive
  dpkg-dev lintian adduser systemd       # the Debian package: dpkg-shlibdeps, its checks, systemd-analyze
  nodejs chromium                        # web UI build (Vite) and its browser tests (playwright-core)
)

need=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
# Debian's nodejs comes without npm; NodeSource's nodejs bundles npm and conflicts with Debian's.
command -v npm >/dev/null || need+=(npm)
if ((${#need[@]})); then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
fi
echo "setup: all dependencies present"
