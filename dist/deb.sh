#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: the Debian packages ldir-dkms and ldctl, built with
# dpkg-buildpackage from a copy of the tree in build/deb/ldir-VERSION, so
# that the .debs land in build/deb (not beside the repository), then checked
# with lintian (errors fail; warnings are printed). Installs the build
# dependencies and lintian from Debian's archive when they are missing.
#
# Environment: LDIR_DEB_DIR (default build/deb), LDIR_LINTIAN=0 to skip lintian.

set -eu -o pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${LDIR_DEB_DIR:-$REPO/build/deb}
# the build dependencies of debian/control, and what builds and checks
DEB_TOOLS="dpkg-dev debhelper dh-dkms libmnl-dev pkgconf scdoc fakeroot make gcc lintian"

as_root()
{
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

missing=$(for p in $DEB_TOOLS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q '^install ok installed$' || echo "$p"
done)
if [ -n "$missing" ]; then
	echo "== installing: $(tr '\n' ' ' <<<"$missing")"
	as_root apt-get -o DPkg::Lock::Timeout=900 update -q
	# shellcheck disable=SC2086
	as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 \
		install -y -q --no-install-recommends $missing
fi

VERSION=$(dpkg-parsechangelog -l "$REPO/debian/changelog" -S Version)
SRC=$OUT/ldir-$VERSION
echo "== copying the sources to $SRC"
rm -rf "$OUT"
mkdir -p "$SRC"
if git -C "$REPO" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# tracked and new files, as they are in the work tree
	(cd "$REPO" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			if [ -e "$f" ]; then printf '%s\0' "$f"; fi
		done | tar --null -T - -cf -) | tar -C "$SRC" -xf -
else
	tar -C "$REPO" --exclude=./build --exclude=./.git -cf - . | tar -C "$SRC" -xf -
fi

echo "== dpkg-buildpackage in $SRC"
(cd "$SRC" && dpkg-buildpackage -us -uc -b) >"$OUT/build.log" 2>&1 ||
	{ tail -n 40 "$OUT/build.log"; echo "dpkg-buildpackage failed (log: $OUT/build.log)"; exit 1; }
rm -rf "$SRC"
ls -1 "$OUT"/*.deb

if [ "${LDIR_LINTIAN:-1}" = 1 ]; then
	echo "== lintian"
	lintian --fail-on error --info --display-info "$OUT"/*.changes |
		tee "$OUT/lintian.log" || { echo "lintian: errors (above)"; exit 1; }
fi
