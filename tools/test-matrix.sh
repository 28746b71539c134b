#!/bin/bash
# make test-matrix: the test suite on each supported PipeWire, one leg each.
#
#   leg host             this machine as it is (tools/install-deps.sh)
#   leg debian13-pw1.6   a Debian 13 root (debootstrap, cached) with
#                        PipeWire 1.6 / WirePlumber from trixie-backports
#                        (tools/install-deps.sh with PM_PIPEWIRE=1.6)
#
#   tools/test-matrix.sh [LEG...]          (default: every leg)
#   tools/test-matrix.sh shell [CMD...]    a shell (or CMD) in the Debian 13 root
#   tools/test-matrix.sh prepare           build the Debian 13 root and install
#                                          its packages (make test does this in
#                                          the background, then runs the leg)
#   tools/test-matrix.sh can-run           exit 0 if this machine can run the
#                                          Debian 13 leg (root, Debian 12 or 13)
#
# Each leg builds and tests a clean export of HEAD (git archive: uncommitted
# changes are not tested), with meson, one test at a time; TESTARGS names
# the tests to run (default: all); a name the tree does not have is
# reported and left out. The last lines are one summary per leg:
#   leg NAME (Debian N, PipeWire X, WirePlumber Y): build ok, N passed, N failed (T s)
# Exit status: 0 when every leg built and no test failed.
#
# Runs as root (debootstrap, chroot, mounts). The Debian 13 root is built
# once under PM_MATRIX_DIR (default /var/tmp/pm-matrix, outside the tree)
# from the archive this machine's apt entries name; `rm -rf` it to start
# over. Everything mounted is unmounted on exit, failed or not. Heavy work
# runs under nice -n 19 / ionice -c3 (other work on this machine is timed).
set -u

SRC=$(cd "$(dirname "$0")/.." && pwd)
MDIR=${PM_MATRIX_DIR:-/var/tmp/pm-matrix}
ROOT=$MDIR/trixie
ALL_LEGS="host debian13-pw1.6"
NICE="nice -n 19 ionice -c3"
MOUNTS=()
SUMMARY=()
RC=0

say() { printf 'test-matrix: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

cleanup() {
	local i
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		umount "${MOUNTS[i]}" 2>/dev/null || umount -l "${MOUNTS[i]}" 2>/dev/null ||
			say "could not unmount ${MOUNTS[i]}"
	done
	MOUNTS=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

if [ "${1:-}" = can-run ]; then
	[ "$(id -u)" -eq 0 ] || { say "the Debian 13 leg needs root (debootstrap, chroot, mounts)"; exit 1; }
	. /etc/os-release 2>/dev/null
	case "${VERSION_CODENAME:-}" in
	bookworm|trixie) exit 0 ;;
	*) say "the Debian 13 leg needs a Debian 12 or 13 host"; exit 1 ;;
	esac
fi
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot and mounts); run it with sudo"
# one run at a time: a second would mount over (and unmount) the first's
mkdir -p "$MDIR" && exec 9>"$MDIR/lock" || die "cannot create $MDIR/lock"
flock -n 9 || { say "waiting for the other test-matrix run ($MDIR/lock)"; flock 9; }
[ -d "$SRC/.git" ] || [ -f "$SRC/.git" ] || die "$SRC is not a git tree (the legs test a git archive of HEAD)"

# ---------------------------------------------------------------- the root
pm_mount() { # mount ARGS... TARGET: remembered, so that cleanup unmounts it
	local target=${!#}
	mountpoint -q "$target" && umount -l "$target" 2>/dev/null
	mount "$@" || die "mount $* failed"
	MOUNTS+=("$target")
}

build_root() {
	[ -f "$ROOT/.pm-root-ok" ] && return 0
	command -v debootstrap >/dev/null ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >&2 ||
		die "debootstrap is missing and could not be installed"
	. "$SRC/tools/apt-entry.sh"
	pm_apt_entry || die "cannot find the Debian archive URI in /etc/apt"
	grep -qs "^$ROOT" /proc/mounts && die "something is still mounted under $ROOT; unmount it first"
	say "building the Debian 13 root in $ROOT (debootstrap --variant=minbase trixie, once)"
	rm -rf "$ROOT.tmp" && mkdir -p "$MDIR" || die "cannot create $MDIR"
	$NICE debootstrap --variant=minbase trixie "$ROOT.tmp" "$PM_APT_URI" > "$MDIR/debootstrap.log" 2>&1 ||
		die "debootstrap failed (see $MDIR/debootstrap.log)"
	mv "$ROOT.tmp" "$ROOT.new" && rm -rf "$ROOT" && mv "$ROOT.new" "$ROOT" || die "cannot move the root into place"
	touch "$ROOT/.pm-root-ok"
}

# apt entries of the root, as a fresh Debian 13 machine has them: trixie
# and trixie-updates, the archive and keyring of this machine (the root's
# keyring has trixie's keys). install-deps adds trixie-backports for
# PM_PIPEWIRE=1.6; the leg checks that it added nothing of another release.
root_sources() {
	. "$SRC/tools/apt-entry.sh"
	pm_apt_entry || die "cannot find the Debian archive URI in /etc/apt"
	rm -f "$ROOT/etc/apt/sources.list"
	printf 'Types: deb\nURIs: %s\nSuites: trixie trixie-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
		"$PM_APT_URI" > "$ROOT/etc/apt/sources.list.d/debian.sources"
	cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
	# no daemons started by package scripts inside the root
	printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
	chmod +x "$ROOT/usr/sbin/policy-rc.d"
}

mount_root() {
	pm_mount -t proc proc "$ROOT/proc"
	pm_mount --bind /sys "$ROOT/sys"
	pm_mount --bind /dev "$ROOT/dev"
	pm_mount --bind /dev/pts "$ROOT/dev/pts"
	pm_mount --bind /dev/shm "$ROOT/dev/shm"
	pm_mount -t tmpfs -o mode=1777,size=2g tmpfs "$ROOT/tmp"
}

in_root() { # CMD...: run in the root, as root, with a clean environment
	chroot "$ROOT" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" LC_ALL=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

# ---------------------------------------------------------------- one leg
# export_tree DIR: a clean export of HEAD in DIR
export_tree() {
	rm -rf "$1" && mkdir -p "$1" && git -C "$SRC" archive HEAD | tar -x -C "$1"
}

# run_leg NAME RUNNER WORK: RUNNER is a command prefix that runs a command
# in the leg's system; WORK the export's path as that system sees it.
run_leg() {
	local name=$1 runner=$2 work=$3 t0 t1 build=failed pass=0 fail=0 skip=0 desc args=() have missing=()
	t0=$(date +%s)
	rm -f "$MDIR/logs/$name.json"
	say "leg $name: install-deps"
	if ! $runner env ${PM_PIPEWIRE:+PM_PIPEWIRE=$PM_PIPEWIRE} $NICE "$work/tools/install-deps.sh" >&2; then
		say "leg $name: install-deps failed"
		RC=1
	fi
	# releases are never mixed: the suites apt now knows, all of this one
	local suites codename
	codename=$($runner sh -c '. /etc/os-release; echo "$VERSION_CODENAME"')
	suites=$($runner sh -c 'apt-get indextargets --format "\$(RELEASE)" 2>/dev/null | sort -u' | tr '\n' ' ')
	say "leg $name: apt suites after install-deps: $suites"
	for s in $suites; do
		case "$s" in
		"$codename"|"$codename"-*|"$codename"/*) ;;
		*) say "leg $name: install-deps left a suite of another release: $s"; RC=1 ;;
		esac
	done
	desc=$($runner sh -c '. /etc/os-release; printf "Debian %s, PipeWire %s, WirePlumber %s" \
		"${VERSION_ID:-?}" "$(pkg-config --modversion libpipewire-0.3 2>/dev/null || echo none)" \
		"$(dpkg-query -W -f="\${Version}" wireplumber 2>/dev/null | sed "s/[-+~].*//" || echo none)"')
	say "leg $name ($desc): build"
	if $runner sh -c "cd '$work' && $NICE meson setup build >build-setup.log 2>&1 &&
			$NICE meson compile -C build >build-compile.log 2>&1"; then
		build=ok
		# the named tests the tree has; the others are reported, not run
		if [ -n "${TESTARGS:-}" ]; then
			have=$($runner sh -c "cd '$work' && meson test -C build --list 2>/dev/null" | sed 's/.* \/ //')
			for t in $TESTARGS; do
				case "$t" in
				-*) args+=("$t") ;;
				*) if printf '%s\n' $have | grep -qx -- "$t"; then args+=("$t"); else missing+=("$t"); fi ;;
				esac
			done
			[ ${#missing[@]} -gt 0 ] && say "leg $name: not in this tree, not run: ${missing[*]}"
		fi
		if [ -z "${TESTARGS:-}" ] || [ ${#args[@]} -gt 0 ]; then
			$runner sh -c "cd '$work' && $NICE meson test -C build --no-rebuild --print-errorlogs \
				--num-processes 1 ${args[*]:-}" >&2
		fi
		read -r pass fail skip < <($runner python3 - "$work/build/meson-logs/testlog.json" <<'PY'
import json, sys
p = f = s = 0
try:
    for line in open(sys.argv[1]):
        if line.strip():
            r = json.loads(line).get("result", "")
            if r in ("OK", "EXPECTEDFAIL"): p += 1
            elif r == "SKIP": s += 1
            else: f += 1
except OSError:
    pass
print(p, f, s)
PY
)
	else
		$runner sh -c "cd '$work' && tail -n 30 build-setup.log build-compile.log 2>/dev/null" >&2
	fi
	# the whole output of every test, kept past the run (the root's /tmp is
	# not), and meson's JSON log for make test's summary line
	mkdir -p "$MDIR/logs"
	$runner sh -c "cat '$work/build/meson-logs/testlog.txt' 2>/dev/null || cat '$work'/build-*.log" \
		> "$MDIR/logs/$name.txt" 2>/dev/null
	$runner sh -c "cat '$work/build/meson-logs/testlog.json' 2>/dev/null" \
		> "$MDIR/logs/$name.json" 2>/dev/null
	say "leg $name: the full test log is $MDIR/logs/$name.txt"
	t1=$(date +%s)
	local line="leg $name ($desc): build $build, ${pass:-0} passed, ${fail:-0} failed"
	[ "${skip:-0}" -gt 0 ] && line+=", $skip skipped"
	[ ${#missing[@]} -gt 0 ] && line+=", ${#missing[@]} not in tree (${missing[*]})"
	line+=" ($((t1 - t0)) s)"
	SUMMARY+=("$line")
	if [ "$build" != ok ] || [ "${fail:-0}" -gt 0 ]; then
		RC=1
	elif [ "$((pass + fail + skip))" -eq 0 ] && { [ -z "${TESTARGS:-}" ] || [ ${#args[@]} -gt 0 ]; }; then
		RC=1	# tests were to run and none did
	fi
}

leg_host() {
	local w=$MDIR/host-src
	export_tree "$w" || die "git archive failed"
	PM_PIPEWIRE='' run_leg host "" "$w"
}

leg_debian13_pw16() {
	build_root
	root_sources
	mount_root
	export_tree "$ROOT/root/src" || die "git archive failed"
	PM_PIPEWIRE=1.6 run_leg debian13-pw1.6 in_root /root/src
	cleanup
}

# ---------------------------------------------------------------- main
# (in a function: bash has read all of it before it runs, so the script
# may be edited while a leg runs)
main() {
if [ "${1:-}" = prepare ]; then
	local t0=$(date +%s)
	build_root
	root_sources
	mount_root
	export_tree "$ROOT/root/src" || die "git archive failed"
	in_root env PM_PIPEWIRE=1.6 $NICE /root/src/tools/install-deps.sh >&2 ||
		die "install-deps in the Debian 13 root failed"
	cleanup
	say "Debian 13 root ready ($(( $(date +%s) - t0 )) s)"
	exit 0
fi
if [ "${1:-}" = shell ]; then
	shift
	build_root
	root_sources
	mount_root
	if [ $# -gt 0 ]; then in_root "$@"; else in_root /bin/bash -l; fi
	exit $?
fi

legs=${*:-${PM_MATRIX_LEGS:-$ALL_LEGS}}
for leg in $legs; do
	case "$leg" in
	host) leg_host ;;
	debian13-pw1.6) leg_debian13_pw16 ;;
	*) die "unknown leg '$leg' (legs: $ALL_LEGS)" ;;
	esac
done
printf '%s\n' "${SUMMARY[@]}"
exit $RC
}
main "$@"
exit $?
