#!/usr/bin/env bash
# Builds the web UI into web/dist (served by `sightline run`): `npm ci` when web/node_modules is
# missing or older than web/package-lock.json, then `vite build` when any input is newer than the
# last build. Idempotent; about a second when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/../web"
command -v npm >/dev/null || { echo "build_web: npm is missing (run scripts/setup.sh)" >&2; exit 1; }

installed=node_modules/.package-lock.json # npm rewrites it on every install
if [ ! -f "$installed" ] || [ package-lock.json -nt "$installed" ]; then
  echo "build_web: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$installed"
fi

inputs=(index.html vite.config.ts tsconfig.json package-lock.json src public)
if [ -f dist/index.html ] && [ -z "$(find "${inputs[@]}" -newer dist/index.html -print -quit)" ]; then
  echo "build_web: web/dist is up to date"
  exit 0
fi
npx --no-install vite build --logLevel warn
echo "build_web: built web/dist"
