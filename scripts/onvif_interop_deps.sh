#!/usr/bin/env bash
# Installs the npm `onvif` client that tests/camsim_onvif_interop_test.cc drives against camsim:
# `npm ci` in tests/onvif_interop when its node_modules is missing or older than the lock file.
# Idempotent; the integration test runs it itself, scripts/test.sh before the tests.
set -euo pipefail
cd "$(dirname "$0")/../tests/onvif_interop"
command -v npm >/dev/null || { echo "onvif_interop_deps: npm is missing (run scripts/setup.sh)" >&2; exit 1; }
installed=node_modules/.package-lock.json # npm rewrites it on every install
if [ ! -f "$installed" ] || [ package-lock.json -nt "$installed" ]; then
  echo "onvif_interop_deps: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$installed"
fi
