#!/usr/bin/env bash
# Builds the Debian package of Sightline from the release build and the web UI:
#   build/sightline_<version>_<arch>.deb     (prints its path last)
# <version> is `sightline --version` plus the Debian revision of packaging/deb/changelog,
# whose top entry must match the binary's version. The package is staged in build/package/root
# and built with dpkg-deb alone: no debian/ source package, no debhelper. What it installs, and
# why the service is configured as it is: docs/ops/package.md.
# Needs scripts/setup.sh (dpkg-dev for dpkg-shlibdeps, npm for the UI).
set -euo pipefail
cd "$(dirname "$0")/.."
here=packaging/deb
bash scripts/build.sh release sightline
bash scripts/build_web.sh >/dev/null

bin=build/release/src/app/sightline
upstream=$("$bin" --version | sed -n 's/^sightline //p')
version=$(dpkg-parsechangelog -l "$here/changelog" -S Version)
if [ "${version%-*}" != "$upstream" ]; then
  echo "package: $here/changelog is at $version, sightline --version says $upstream: add an entry" >&2
  exit 1
fi
arch=$(dpkg --print-architecture)
# Reproducible: every file's time is the changelog entry's (dpkg-deb reads this), and modes
# do not depend on the caller's umask.
SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -l "$here/changelog" -S Timestamp)
export SOURCE_DATE_EPOCH
umask 022

stage=build/package
root=$stage/root
rm -rf "$stage"
mkdir -p "$root/DEBIAN"

install -D -m 0755 "$bin" "$root/usr/bin/sightline"
# Debug info is most of the file; lintian wants installed binaries stripped.
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/sightline"
# `sightline run` looks for the UI in ../share/sightline/web beside its binary (FindUiDir).
mkdir -p "$root/usr/share/sightline"
cp -R web/dist "$root/usr/share/sightline/web"
# Source maps help only a developer with the source tree at hand: half the UI's size.
find "$root/usr/share/sightline/web" -name "*.map" -delete
install -D -m 0644 "$here/sightline.yaml" "$root/etc/sightline/sightline.yaml"
install -D -m 0644 "$here/sightline.service" "$root/lib/systemd/system/sightline.service"
doc=$root/usr/share/doc/sightline
install -D -m 0644 "$here/copyright" "$doc/copyright"
gzip -9n <"$here/changelog" >"$doc/changelog.Debian.gz"
gzip -9n <docs/ref/config.md >"$doc/config.md.gz"
mkdir -p "$root/usr/share/man/man1"
gzip -9n <"$here/sightline.1" >"$root/usr/share/man/man1/sightline.1.gz"
find "$root" -type d -exec chmod 0755 {} +
find "$root" -type f ! -path '*/usr/bin/*' -exec chmod 0644 {} +

# Depends: the shared libraries the binary links (dpkg-shlibdeps wants a debian/control to
# run in), and adduser for postinst.
mkdir -p "$stage/shlibdeps/debian"
printf 'Source: sightline\n\nPackage: sightline\nArchitecture: any\n' >"$stage/shlibdeps/debian/control"
shlibs=$(cd "$stage/shlibdeps" && dpkg-shlibdeps -O "$OLDPWD/$root/usr/bin/sightline" | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "package: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

for f in postinst prerm postrm; do install -m 0755 "$here/$f" "$root/DEBIAN/$f"; done
install -m 0644 "$here/conffiles" "$root/DEBIAN/conffiles"
# Conffiles are left out, as dh_md5sums does: dpkg tracks their own checksums.
(cd "$root" && find . -type f ! -path './DEBIAN/*' ! -path './etc/*' -printf '%P\0' | LC_ALL=C sort -z |
  xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"
size_kib=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@INSTALLED_SIZE@/$size_kib/" \
  -e "s/@DEPENDS@/adduser, $shlibs/" "$here/control" >"$root/DEBIAN/control"

deb=build/sightline_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "package: $deb"
