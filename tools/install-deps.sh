#!/bin/sh
# Install what privacy-mute needs to build, test and run its demo, with apt,
# on Debian 12 (bookworm) or Debian 13 (trixie); any other system: an error.
#
#   Debian 12: PipeWire 1.4 / WirePlumber 0.5 from bookworm-backports (the
#              base suite's 0.3.65 is too old); the suite is added if it is
#              not there, with the archive and keyring of the machine's
#              existing Debian entry.
#   Debian 13: PipeWire 1.4 / WirePlumber 0.5 from trixie itself;
#              PM_PIPEWIRE=1.6 takes PipeWire 1.6 / WirePlumber from
#              trixie-backports instead (adding that suite the same way).
#
# Releases are never mixed: no bookworm suite is added or used on trixie.
# Idempotent: does nothing when everything is already there.
set -eu

. "$(dirname "$0")/apt-entry.sh"

codename=""
[ -r /etc/os-release ] && codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
want=${PM_PIPEWIRE:-}

case "$codename" in
bookworm)
	[ -z "$want" ] || [ "$want" = 1.4 ] ||
		{ echo "install-deps: PM_PIPEWIRE=$want: Debian 12 has PipeWire 1.4 only (bookworm-backports)" >&2; exit 1; }
	clang_rt=libclang-rt-14-dev
	suite=bookworm-backports
	min=1.4
	;;
trixie)
	clang_rt=libclang-rt-19-dev
	case "$want" in
	'' | 1.4) suite=""; min=1.4 ;;
	1.6) suite=trixie-backports; min=1.6 ;;
	*) echo "install-deps: PM_PIPEWIRE=$want: Debian 13 has 1.4 (trixie) or 1.6 (PM_PIPEWIRE=1.6, trixie-backports)" >&2
	   exit 1 ;;
	esac
	;;
*)
	echo "install-deps: this is not Debian 12 (bookworm) or Debian 13 (trixie)${codename:+ but '$codename'};" \
		"install the build dependencies by hand (README.md, Install)" >&2
	exit 1
	;;
esac

BASE_PKGS="meson ninja-build pkg-config gcc libdbus-1-dev dbus dbus-bin dbus-daemon \
pulseaudio-utils alsa-utils gstreamer1.0-tools gstreamer1.0-plugins-base \
libglib2.0-bin valgrind python3 gnuplot-nox clang $clang_rt \
scdoc bash-completion zsh debhelper dpkg-dev fakeroot build-essential \
python3-dbus python3-gi"
PW_PKGS="pipewire pipewire-bin wireplumber pipewire-pulse pipewire-alsa \
libpipewire-0.3-dev libspa-0.2-dev gstreamer1.0-pipewire libspa-0.2-modules"

have_all() {
	for p in $BASE_PKGS $PW_PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || return 1
	done
	# the PipeWire series asked for, not merely some PipeWire
	v=$(dpkg-query -W -f='${Version}' libpipewire-0.3-dev 2>/dev/null || echo 0)
	dpkg --compare-versions "$v" ge "$min" || return 1
	# PM_PIPEWIRE=1.4 asked for 1.4 itself; unset, a 1.6 installed is kept
	[ "$want" != 1.4 ] || dpkg --compare-versions "$v" lt 1.5
}

if have_all; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi

OURS=/etc/apt/sources.list.d/privacy-mute-backports.sources
# an entry of ours for another release (left from before an upgrade): gone
if [ -f "$OURS" ] && ! grep -q "^Suites:.*$codename" "$OURS"; then
	echo "install-deps: removing $OURS (it names another Debian release)" >&2
	$SUDO rm -f "$OURS"
fi

if [ -n "$suite" ] && ! grep -rqs -- "$suite" /etc/apt/sources.list /etc/apt/sources.list.d/; then
	# Reuse the archive and keyring of the machine's existing Debian
	# entry, so no mirror host is written here.
	if ! pm_apt_entry; then
		echo "install-deps: cannot find the Debian archive URI in /etc/apt; add $suite by hand" >&2
		exit 1
	fi
	printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
		"$PM_APT_URI" "$suite" "$PM_APT_KEYRING" | $SUDO tee "$OURS" >/dev/null
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends $BASE_PKGS
# -t: PipeWire's packages and what they need from the same suite; on
# trixie without PM_PIPEWIRE the base suite's, even when trixie-backports
# is configured
$SUDO apt-get install -y -q --no-install-recommends -t "${suite:-$codename}" $PW_PKGS
if ! have_all; then
	v=$(dpkg-query -W -f='${Version}' libpipewire-0.3-dev 2>/dev/null || echo none)
	echo "install-deps: libpipewire-0.3-dev is $v, not PipeWire $min${want:+ (PM_PIPEWIRE=$want)};" \
		"apt does not downgrade by itself: remove PipeWire's packages first, or drop PM_PIPEWIRE" >&2
	exit 1
fi
