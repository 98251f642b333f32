#!/usr/bin/env bash
# The Debian package, end to end on this machine: builds it (scripts/package.sh), lints it,
# installs it with apt-get, checks what it installed, runs the installed recorder once as its
# user on the installed config (only the port changed), checks the store with `sightline
# check`, scores the unit's sandbox with systemd-analyze, then purges the package and checks it
# is gone. Works without a running systemd (containers, CI): the maintainer scripts then skip
# starting the service. Needs root (apt-get); refuses to run where sightline is installed
# already, since it ends by purging it. About a minute when the release build is up to date.
#   usage: tests/package/run.sh
# SIGHTLINE_MAX_EXPOSURE: the highest acceptable `systemd-analyze security` score (default
# below, a little above what the unit reaches: docs/ops/package.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
max_exposure=${SIGHTLINE_MAX_EXPOSURE:-1.2}
# Lintian warnings docs/ops/package.md explains; any other warning, and any error, fails.
accepted_warnings=(initial-upload-closes-no-bugs)

[ "$(id -u)" -eq 0 ] || { echo "package: run as root (it installs and purges the package)" >&2; exit 1; }
if dpkg-query -W -f='${Status}' sightline 2>/dev/null | grep -q "ok installed"; then
  echo "package: sightline is installed on this machine; this test would purge it" >&2
  exit 1
fi
bash scripts/setup.sh >/dev/null
fail() { echo "package: FAILED: $*" >&2; exit 1; }
had_user=$(getent passwd sightline >/dev/null && echo yes || echo no)
had_state=$([ -e /var/lib/sightline ] && echo yes || echo no)
tmp=$(mktemp -d /tmp/sightline-package.XXXXXX)
run=
cleanup() {
  [ -n "$run" ] && kill "$run" 2>/dev/null && wait "$run" 2>/dev/null
  dpkg-query -W -f='${Status}' sightline 2>/dev/null | grep -q "ok installed" &&
    apt-get purge -y -q sightline >/dev/null 2>&1
  # What the test made, it removes; what was there before (another test's user?) it keeps.
  [ "$had_state" = no ] && rm -rf /var/lib/sightline
  [ "$had_user" = no ] && getent passwd sightline >/dev/null && deluser --system sightline >/dev/null 2>&1
  getent group sightline >/dev/null && [ "$had_user" = no ] && delgroup --system sightline >/dev/null 2>&1
  rm -rf "$tmp"
  return 0
}
trap cleanup EXIT

echo "=== package: build"
deb=$(bash scripts/package.sh | tail -1 | sed -n 's/^package: //p')
[ -f "$deb" ] || fail "scripts/package.sh made no package"
dpkg-deb --info "$deb" | sed -n 's/^ \(Version\|Depends\|Installed-Size\):/  \1:/p'
version=$(dpkg-deb --field "$deb" Version)

echo "=== package: lintian"
suppress=()
((${#accepted_warnings[@]})) && suppress=(--suppress-tags "$(IFS=,; echo "${accepted_warnings[*]}")")
# lintian warns when run as root, which apt-get needs anyway.
lintian --fail-on error,warning "${suppress[@]}" --info "$deb" 2> >(grep -v "root privileges" >&2) ||
  fail "lintian (see above)"
lintian --tag-display-limit 0 "$deb" 2>/dev/null | sed 's/^/  lintian: /' || true

echo "=== package: install"
apt-get install -y -q "./$deb" >"$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log" >&2; fail "apt-get install"; }
[ "$(sightline --version)" = "sightline ${version%-*}" ] || fail "sightline --version: $(sightline --version)"
[ "$(command -v sightline)" = /usr/bin/sightline ] || fail "sightline is not /usr/bin/sightline"
file /usr/bin/sightline | grep -q ", stripped" || fail "/usr/bin/sightline is not stripped"
[ -f /usr/share/sightline/web/index.html ] || fail "no web UI in /usr/share/sightline/web"
[ "$(getent passwd sightline | cut -d: -f6,7)" = "/var/lib/sightline:/usr/sbin/nologin" ] ||
  fail "user sightline: $(getent passwd sightline)"
[ "$(id -gn sightline)" = sightline ] || fail "sightline's group is $(id -gn sightline)"
[ "$(stat -c '%U:%G %a' /var/lib/sightline)" = "sightline:sightline 750" ] ||
  fail "/var/lib/sightline is $(stat -c '%U:%G %a' /var/lib/sightline)"
[ -f /lib/systemd/system/sightline.service ] || fail "no unit"
[ -L /etc/systemd/system/multi-user.target.wants/sightline.service ] || fail "the unit is not enabled"
dpkg-query -W -f='${Conffiles}\n' sightline | grep -q '^ /etc/sightline/sightline.yaml ' ||
  fail "/etc/sightline/sightline.yaml is not a conffile"
[ "$(stat -c '%U:%G %a' /etc/sightline/sightline.yaml)" = "root:sightline 640" ] ||
  fail "/etc/sightline/sightline.yaml is $(stat -c '%U:%G %a' /etc/sightline/sightline.yaml)"
for f in copyright changelog.Debian.gz config.md.gz; do
  [ -f "/usr/share/doc/sightline/$f" ] || fail "no /usr/share/doc/sightline/$f"
done
echo "installed: binary, web UI, user, unit (enabled), conffile, docs"

echo "=== package: upgrade over itself, keeping an edited conffile"
echo "# edited by tests/package/run.sh" >>/etc/sightline/sightline.yaml
dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log" >&2; fail "dpkg -i over the installed package"; }
tail -1 /etc/sightline/sightline.yaml | grep -q "^# edited by" || fail "the upgrade replaced the edited conffile"
[ "$(stat -c '%U:%G %a' /etc/sightline/sightline.yaml)" = "root:sightline 640" ] || fail "the upgrade changed the config's mode"
sed -i '$d' /etc/sightline/sightline.yaml

echo "=== package: the installed recorder, as user sightline"
# The installed config with only the port changed: 8080 may be taken on a build machine. As
# systemd would start it: its user, the unit's umask, JSON logs on stderr.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
chmod 0755 "$tmp"
sed "s/^  listen: 127.0.0.1:8080$/  listen: 127.0.0.1:$port/" /etc/sightline/sightline.yaml >"$tmp/sightline.yaml"
grep -q "listen: 127.0.0.1:$port" "$tmp/sightline.yaml" || fail "the default config has no listen: 127.0.0.1:8080"
(umask 0027 && exec runuser -u sightline -- sightline run --config "$tmp/sightline.yaml" --log-format json \
  --duration 5 >"$tmp/run.out" 2>"$tmp/run.err") &
run=$!
for _ in $(seq 100); do grep -q "^http: serving" "$tmp/run.out" && break; sleep 0.1; done
grep -q "^http: serving http://127.0.0.1:$port/" "$tmp/run.out" || { cat "$tmp/run.err" >&2; fail "no 'http: serving'"; }
# The UI comes from /usr/share/sightline/web: the page the build made, byte for byte.
python3 -c 'import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1], timeout=5).read())' \
  "http://127.0.0.1:$port/" >"$tmp/index.html"
cmp -s "$tmp/index.html" /usr/share/sightline/web/index.html || fail "GET / is not the installed web UI"
code=0
wait "$run" || code=$?
[ "$code" -eq 0 ] || { cat "$tmp/run.err" >&2; fail "sightline run exited with $code"; }
run=
# Every line on stderr is one JSON object with time, level and msg.
python3 - "$tmp/run.err" <<'PY' || fail "stderr of sightline run is not JSON lines"
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert lines, "no log lines"
for line in lines:
    record = json.loads(line)
    assert set(record) == {"time", "level", "msg"}, record
print(f"  {len(lines)} JSON log lines, e.g. {lines[0]}")
PY
[ -f /var/lib/sightline/index.db ] || fail "no index in /var/lib/sightline"
bad=$(find /var/lib/sightline ! -user sightline -print -quit)
[ -z "$bad" ] || fail "$bad is not the sightline user's"

echo "=== package: sightline check"
runuser -u sightline -- sightline check --config /etc/sightline/sightline.yaml | tee "$tmp/check.out"
grep -q "^result: OK$" "$tmp/check.out" || fail "sightline check"

echo "=== package: systemd-analyze"
verify=$(systemd-analyze verify /lib/systemd/system/sightline.service 2>&1) || fail "systemd-analyze verify: $verify"
[ -z "$verify" ] || fail "systemd-analyze verify: $verify"
systemd-analyze security --offline=true --no-pager /lib/systemd/system/sightline.service >"$tmp/security.txt"
grep "^✗" "$tmp/security.txt" | sed 's/^/  /' || true
score=$(sed -n 's/^→ Overall exposure level for sightline.service: \([0-9.]*\).*/\1/p' "$tmp/security.txt")
[ -n "$score" ] || { cat "$tmp/security.txt" >&2; fail "no exposure score"; }
echo "exposure score: $score (at most $max_exposure)"
awk -v s="$score" -v m="$max_exposure" 'BEGIN { exit !(s <= m) }' || fail "exposure $score is above $max_exposure"

echo "=== package: purge"
apt-get purge -y -q sightline >"$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log" >&2; fail "apt-get purge"; }
! dpkg-query -W -f='${Status}' sightline 2>/dev/null | grep -q "ok installed" || fail "still installed"
for f in /usr/bin/sightline /usr/share/sightline /lib/systemd/system/sightline.service /etc/sightline \
  /etc/systemd/system/multi-user.target.wants/sightline.service /usr/share/doc/sightline; do
  [ ! -e "$f" ] && [ ! -L "$f" ] || fail "$f is still there after purge"
done
! dpkg-statoverride --list /etc/sightline/sightline.yaml >/dev/null || fail "the statoverride is still there"
# Recordings may be evidence: purge keeps them and their owner (docs/ops/package.md).
[ -f /var/lib/sightline/index.db ] || fail "purge deleted the recordings"
getent passwd sightline >/dev/null || fail "purge deleted the user owning the recordings"
echo "package: passed ($deb, lintian clean, exposure $score)"
