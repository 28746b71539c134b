#!/bin/bash
# The Debian package, built with dpkg-buildpackage from a copy of the
# source tree, installed with dpkg, works from the system paths alone: the
# installed drop-ins load the installed module into pipewire, WirePlumber
# and pipewire-pulse, D-Bus activation through the installed service file
# starts the installed policy, and the installed CLI mutes and unmutes a
# microphone. Then the package is removed and leaves nothing behind.
#
# The install happens in a private mount namespace whose /usr, /etc and
# /var are overlays on the machine's: everything in it sees the package
# installed, while the machine, and the pipewire of any other test running
# at the same time, never do. Where no namespace can be made (no
# CAP_SYS_ADMIN, no overlayfs) the package is installed on the machine
# itself and removed at the end (PM_PACKAGE_ON_MACHINE=1 asks for that).
set -u

PKG=privacy-mute

if [ "${1:-}" != --installed ]; then
	: "${PM_BUILD:?PM_BUILD must point at the build directory}"
	: "${PM_SRC:?PM_SRC must point at the source directory}"
	if [ "$(id -u)" -ne 0 ]; then
		echo "package: installing a package needs root" >&2
		exit 77
	fi
	W=$(mktemp -d /tmp/pm-pkg.XXXXXX)
	cleanup() { [ "${PM_KEEP:-0}" = 1 ] && echo "kept $W" >&2 || rm -rf "$W"; }
	trap cleanup EXIT

	# a copy of the tree as it is (tracked and new files, not build dirs),
	# so the build leaves nothing in the repository
	mkdir -p "$W/src"
	if git -C "$PM_SRC" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$PM_SRC" ls-files -z -c -o --exclude-standard |
			(cd "$PM_SRC" && tar --null -T - -cf -) | tar -xf - -C "$W/src"
	else
		tar -C "$PM_SRC" --exclude='./build*' --exclude='./obj-*' -cf - . | tar -xf - -C "$W/src"
	fi
	echo "building the package (dpkg-buildpackage -b -us -uc)" >&2
	if ! (cd "$W/src" && dpkg-buildpackage -b -us -uc) > "$W/build.log" 2>&1; then
		echo "FAIL - dpkg-buildpackage" >&2
		tail -n 40 "$W/build.log" >&2
		exit 1
	fi
	echo "ok   - dpkg-buildpackage built $(cd "$W" && ls ${PKG}_*.deb)" >&2

	probe() {
		mkdir -p "$W/probe/u" "$W/probe/w" &&
		unshare --mount --propagation private sh -c \
			"mount -t overlay overlay -o lowerdir=/usr,upperdir=$W/probe/u,workdir=$W/probe/w /usr" \
			2>/dev/null
	}
	if [ "${PM_PACKAGE_ON_MACHINE:-0}" != 1 ] && probe; then
		unshare --mount --propagation private "$0" --installed "$W" overlay
		exit $?
	fi
	# on the machine itself: never touch an installation that was there
	if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q "ok installed"; then
		echo "FAIL - $PKG is installed on this machine; the test would remove it" >&2
		exit 1
	fi
	echo "installing the package on the machine itself" >&2
	"$0" --installed "$W" machine
	rc=$?
	if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q "ok installed"; then
		dpkg -r "$PKG" >/dev/null 2>&1
		echo "FAIL - the package was still installed after the test" >&2
		rc=1
	fi
	exit $rc
fi

# ---- in the namespace (or on the machine): install, run, remove ----
W=$2
MODE=$3
if [ "$MODE" = overlay ]; then
	for d in usr etc var; do
		mkdir -p "$W/ov/$d/u" "$W/ov/$d/w"
		mount -t overlay overlay \
			-o "lowerdir=/$d,upperdir=$W/ov/$d/u,workdir=$W/ov/$d/w" "/$d" || exit 1
	done
fi

. "$(dirname "$0")/lib.sh"
# the installed system only: no build tree on any path
unset PIPEWIRE_MODULE_DIR
PM_CLI=/usr/bin/privacy-mute
PM_POLICY=/usr/bin/privacy-mute-policy
# the installed pieces trust the installed policy by default
pm_trust "$PM_POLICY"
MODDIR=$(pkg-config --variable=moduledir libpipewire-0.3)
MODULE="$MODDIR/libpipewire-module-privacy-mute.so"

deb=$(ls "$W"/${PKG}_*.deb)
dpkg -i "$deb" > "$T/log/dpkg.log" 2>&1
check "dpkg -i installs the package" test $? -eq 0 || { cat "$T/log/dpkg.log" >&2; finish; }
check "dpkg lists it as installed" sh -c "dpkg-query -W -f='\${Status}' $PKG | grep -q 'ok installed'"

FILES="/usr/bin/privacy-mute /usr/bin/privacy-mute-policy $MODULE
/usr/share/pipewire/pipewire.conf.d/privacy-mute.conf
/usr/share/pipewire/pipewire-pulse.conf.d/privacy-mute.conf
/usr/share/wireplumber/wireplumber.conf.d/privacy-mute.conf
/usr/share/dbus-1/services/org.privacymute.Policy1.service
/usr/share/dbus-1/interfaces/org.privacymute.Policy1.xml
/usr/share/dbus-1/system.d/org.privacymute.Policy1.conf
/usr/lib/systemd/user/privacy-mute-policy.service
/usr/share/man/man1/privacy-mute.1.gz
/usr/share/man/man8/privacy-mute-policy.8.gz
/usr/share/man/man7/libpipewire-module-privacy-mute.7.gz
/usr/share/bash-completion/completions/privacy-mute
/usr/share/zsh/vendor-completions/_privacy-mute"
for f in $FILES; do
	check "installed: $f" test -s "$f"
done
for m in man1/privacy-mute.1 man8/privacy-mute-policy.8 man7/libpipewire-module-privacy-mute.7; do
	check "$m.gz is a man page" sh -c "zcat /usr/share/man/$m.gz | grep -q '^\.TH'"
done
SVC=/usr/share/dbus-1/services/org.privacymute.Policy1.service
check "the D-Bus service file runs /usr/bin/privacy-mute-policy" \
	grep -qx "Exec=/usr/bin/privacy-mute-policy" "$SVC"
check "the D-Bus service file names the systemd user unit" \
	grep -qx "SystemdService=privacy-mute-policy.service" "$SVC"
check "the unit starts /usr/bin/privacy-mute-policy and waits for its bus name" sh -c "
	grep -qx 'ExecStart=/usr/bin/privacy-mute-policy' /usr/lib/systemd/user/privacy-mute-policy.service &&
	grep -qx 'BusName=org.privacymute.Policy1' /usr/lib/systemd/user/privacy-mute-policy.service"
check "the installed bash completion is found by bash-completion and completes 'to' to toggle" \
	bash -c 'source /usr/share/bash-completion/bash_completion
		_completion_loader privacy-mute
		COMP_WORDS=(privacy-mute to); COMP_CWORD=1
		$(complete -p privacy-mute | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		echo "${COMPREPLY[*]}"; test "${COMPREPLY[*]}" = toggle'

# A session from the system paths: the audio daemons read the installed
# drop-ins (our config dir only adds the fake microphones), and the bus
# finds the installed service file in the standard directories.
mics_conf
PM_BUS_EXTRA_CONF="<standard_session_servicedirs/>" start_bus || finish
check "no policy running before the audio starts" sh -c "! '$PM_CLI' status"
start_pipewire && start_wireplumber && start_pulse || finish
check "the module in pipewire started the policy through D-Bus activation" \
	wait_for 20 "$PM_CLI" status
pid=$(gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
	--method org.freedesktop.DBus.GetConnectionUnixProcessID org.privacymute.Policy1 2>/dev/null |
	sed -n 's/.*uint32 \([0-9]*\).*/\1/p')
[ -n "$pid" ] && PM_PID[policy]=$pid
check "the activated policy is /usr/bin/privacy-mute-policy" \
	test "$(readlink "/proc/${pid:-0}/exe")" = /usr/bin/privacy-mute-policy
check "three enforcers registered (pipewire, wireplumber, pipewire-pulse)" \
	wait_for 20 enforcers_are 3
for name in pipewire wireplumber pulse; do
	check "$name loaded the installed module ($MODULE)" \
		grep -qF "$MODULE" "/proc/${PM_PID[$name]}/maps"
	check "the enforcer in $name is registered" enforcer_pid "${PM_PID[$name]}"
done
check "first start: unmuted, enforced" wait_for 20 unmuted_enforced

check "installed CLI: on, enforced" mute_on
check "status: muted, enforced" muted_enforced
cap_pw_record "$T/muted.raw" 2 --target testmic
check "muted: pw-record gets silence from testmic" expect silence "$T/muted.raw"
cap_parec "$T/muted-pa.raw" 2 --device=alsamic
check "muted: parec gets silence from alsamic" expect silence "$T/muted-pa.raw"
check "the state was saved muted" grep -q '"muted": true' "$XDG_STATE_HOME/privacy-mute/state"

check "installed CLI: toggle, enforced" "$PM_CLI" toggle
check "status: unmuted, enforced" unmuted_enforced
cap_pw_record "$T/unmuted.raw" 2 --target testmic
check "unmuted: pw-record gets the signal from testmic" expect signal "$T/unmuted.raw"
cap_parec "$T/unmuted-pa.raw" 2 --device=alsamic
check "unmuted: parec gets the signal from alsamic" expect signal "$T/unmuted-pa.raw"

check "installed CLI: toggle again mutes" "$PM_CLI" toggle
cap_pw_record "$T/muted2.raw" 2 --target testmic
check "muted again: silence" expect silence "$T/muted2.raw"
check "installed CLI: off, enforced" mute_off
cap_pw_record "$T/unmuted2.raw" 2 --target testmic
check "unmuted again: signal" expect signal "$T/unmuted2.raw"

# stop the session before removing, as a user would restart it after
stop_audio
stop_policy
dpkg -r "$PKG" >> "$T/log/dpkg.log" 2>&1
check "dpkg -r removes the package" test $? -eq 0
check "dpkg no longer lists it" sh -c "! dpkg-query -W -f='\${Status}' $PKG 2>/dev/null | grep -q 'ok installed'"
for f in $FILES; do
	check "removed: $f" test ! -e "$f"
done

finish
