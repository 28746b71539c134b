#!/bin/sh
# Install what privacy-mute needs to build, test and run its demo on Debian 12.
# PipeWire 1.4 / WirePlumber 0.5 come from bookworm-backports: the base suite
# ships 0.3.65, which lacks the data-thread hooks the module relies on.
# Idempotent: does nothing when everything is already there.
set -eu

BASE_PKGS="meson ninja-build pkg-config gcc libdbus-1-dev dbus dbus-bin dbus-daemon \
pulseaudio-utils alsa-utils gstreamer1.0-tools gstreamer1.0-plugins-base \
libglib2.0-bin valgrind python3 gnuplot-nox clang libclang-rt-14-dev \
scdoc bash-completion zsh debhelper dpkg-dev fakeroot build-essential \
python3-dbus python3-gi"
BP_PKGS="pipewire pipewire-bin wireplumber pipewire-pulse pipewire-alsa \
libpipewire-0.3-dev libspa-0.2-dev gstreamer1.0-pipewire libspa-0.2-modules"

have_all() {
	for p in $BASE_PKGS $BP_PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || return 1
	done
	# the backports version is the one we need
	v=$(pkg-config --modversion libpipewire-0.3 2>/dev/null || echo 0)
	dpkg --compare-versions "$v" ge 1.0
}

if have_all; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi

if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
	# Reuse the URI and keyring of the machine's existing Debian entry, so no
	# mirror host is hard-coded here.
	uri=""
	keyring="/usr/share/keyrings/debian-archive-keyring.gpg"
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		uri=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
		k=$(awk '/^Signed-By:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
		[ -n "$k" ] && keyring=$k
	fi
	if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
		uri=$(awk '$1 == "deb" && $0 ~ /bookworm/ && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' /etc/apt/sources.list)
	fi
	if [ -z "$uri" ]; then
		echo "install-deps: cannot find the Debian mirror URI in /etc/apt; add bookworm-backports by hand" >&2
		exit 1
	fi
	printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: %s\n' \
		"$uri" "$keyring" | $SUDO tee /etc/apt/sources.list.d/privacy-mute-backports.sources >/dev/null
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends $BASE_PKGS
$SUDO apt-get install -y -q --no-install-recommends -t bookworm-backports $BP_PKGS
