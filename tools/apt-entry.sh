# Sourced by tools/install-deps.sh and tools/test-matrix.sh: the Debian
# archive this machine already uses, read from its apt entries, so that no
# mirror host is ever written into the repository.
#   pm_apt_entry    sets PM_APT_URI and PM_APT_KEYRING (or returns 1)

pm_apt_entry() {
	PM_APT_URI=""
	PM_APT_KEYRING="/usr/share/keyrings/debian-archive-keyring.gpg"
	# deb822 entries: the first stanza of Types deb that is not the
	# security archive
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		set -- $(awk 'BEGIN { RS = ""; FS = "\n" }
			{
				uri = ""; key = ""; deb = 0; off = 0
				for (i = 1; i <= NF; i++) {
					if ($i ~ /^Types:/ && $i ~ /[ \t]deb([ \t]|$)/) deb = 1
					if ($i ~ /^URIs:/) { split($i, a, /[ \t]+/); uri = a[2] }
					if ($i ~ /^Signed-By:[ \t]*\//) { split($i, a, /[ \t]+/); key = a[2] }
					if ($i ~ /^Enabled:[ \t]*no/) off = 1
				}
				if (deb && !off && uri != "" && uri !~ /security/) { print uri, key; exit }
			}' "$f")
		if [ $# -ge 1 ]; then
			PM_APT_URI=$1
			[ $# -ge 2 ] && PM_APT_KEYRING=$2
			return 0
		fi
	done
	# one-line entries
	if [ -f /etc/apt/sources.list ]; then
		PM_APT_URI=$(awk '$1 == "deb" && $0 !~ /security/ {
			for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)
	fi
	[ -n "$PM_APT_URI" ]
}
