#!/bin/bash
# meson install puts every piece where PipeWire and D-Bus look for it, and
# the installed pieces work together: the installed drop-in loads the
# installed module, the installed policy and CLI drive it.
. "$(dirname "$0")/lib.sh"

D="$T/dest"
meson install -C "$PM_BUILD" --destdir "$D" --no-rebuild --quiet > "$T/log/install.log" 2>&1
check "meson install --destdir succeeds" test $? -eq 0

prefix=$(meson introspect "$PM_BUILD" --buildoptions | python3 -c '
import json, sys
print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
bindir="$prefix/bin"
moddir=$(pkg-config --variable=moduledir libpipewire-0.3)
pwshare="$(pkg-config --variable=prefix libpipewire-0.3)/share/pipewire"
wpshare="$(pkg-config --variable=prefix libpipewire-0.3)/share/wireplumber"
services=$(pkg-config --variable=session_bus_services_dir dbus-1)
ifaces=$(pkg-config --variable=interfaces_dir dbus-1)
sysd="$(pkg-config --variable=datadir dbus-1)/dbus-1/system.d"

for f in "$moddir/libpipewire-module-privacy-mute.so" \
	"$pwshare/pipewire.conf.d/privacy-mute.conf" \
	"$pwshare/pipewire-pulse.conf.d/privacy-mute.conf" \
	"$wpshare/wireplumber.conf.d/privacy-mute.conf" \
	"$services/org.privacymute.Policy1.service" \
	"$ifaces/org.privacymute.Policy1.xml" \
	"$sysd/org.privacymute.Policy1.conf" \
	"$bindir/privacy-mute-policy" "$bindir/privacy-mute" \
	"$(pkg-config --variable=systemduserunitdir systemd)/privacy-mute-policy.service" \
	"$(pkg-config --variable=completionsdir bash-completion)/privacy-mute" \
	"$prefix/share/man/man1/privacy-mute.1" "$prefix/share/man/man8/privacy-mute-policy.8" \
	"$prefix/share/man/man7/libpipewire-module-privacy-mute.7"; do
	check "installed: $f" test -s "$D$f"
done
check "installed: the zsh completion" sh -c "ls '$D$prefix'/share/zsh/*/_privacy-mute"
check "the D-Bus service file names the systemd user unit" \
	grep -qx "SystemdService=privacy-mute-policy.service" "$D$services/org.privacymute.Policy1.service"
check "the D-Bus service file starts the installed policy" \
	grep -qx "Exec=$bindir/privacy-mute-policy" "$D$services/org.privacymute.Policy1.service"

# the installed pieces, not the build tree
PM_POLICY="$D$bindir/privacy-mute-policy"
PM_CLI="$D$bindir/privacy-mute"
export PIPEWIRE_MODULE_DIR="$D$moddir:$SYS_MODULE_DIR"
mics_conf
# under --destdir the policy is not where the build installs it: the
# installed drop-in, told to trust the copy that runs here
pm_trust "$PM_POLICY"
check "the installed drop-in, with policy.executable added to its args" \
	pm_dropin "$D$pwshare/pipewire.conf.d/privacy-mute.conf" "$T/config/pipewire/pipewire.conf.d/privacy-mute.conf"
check "... names the policy that runs here" \
	grep -q "policy.executable = \"$PM_POLICY\"" "$T/config/pipewire/pipewire.conf.d/privacy-mute.conf"
start_bus && start_policy && start_pipewire && start_wireplumber || exit 1
check "the installed drop-in loaded the installed module" \
	sh -c "pw-cli ls Module | grep -q libpipewire-module-privacy-mute"
check "installed CLI: mute on, enforced" mute_on
cap_pw_record "$T/muted.raw" 2 --target testmic
check "installed pieces: silence while muted" expect silence "$T/muted.raw"
check "installed CLI: mute off, enforced" mute_off
cap_pw_record "$T/unmuted.raw" 2 --target testmic
check "installed pieces: signal while unmuted" expect signal "$T/unmuted.raw"

finish
