#!/bin/bash
# The test helpers themselves: a client tool that never returns makes the
# helper that called it fail within PM_CMD_TIMEOUT, with a message naming
# the command, and fails the test even when the check around it passed
# (a negated wait). Here pw-cli and pactl are replaced through PATH by
# programs that hang (sleep 1000) before lib.sh is sourced, as a stuck
# daemon would leave them.
HANG=$(mktemp -d /tmp/pm-hang.XXXXXX)
for t in pw-cli pactl; do
	printf '#!/bin/sh\nexec sleep 1000\n' > "$HANG/$t"
	chmod +x "$HANG/$t"
done
export PATH="$HANG:$PATH" PM_CMD_TIMEOUT=2
. "$(dirname "$0")/lib.sh"
trap 'rm -rf "$HANG"; pm_cleanup' EXIT
LIB="$PM_SRC/tests/integration/lib.sh"

# elapsed SECONDS COMMAND...: run COMMAND, print its exit status and how
# long it took (whole seconds); the bounds below are generous on purpose
elapsed() {
	local t0=$SECONDS rc
	"$@" >"$T/out" 2>"$T/err"; rc=$?
	echo "$rc $((SECONDS - t0))"
}

read -r rc secs < <(elapsed pw-cli info 0)
check "a hanging pw-cli is stopped by its timeout (exit $rc after $secs s)" \
	sh -c "[ $rc -eq 124 ] && [ $secs -le 8 ]"
check "... and says so, naming the command" \
	grep -q "TIMEOUT: 'pw-cli info 0' did not return within 2 s" "$T/err"
check "... the same line is in the test's timeout log" \
	grep -q "'pw-cli info 0'" "$T/log/timeouts.log"
: > "$T/log/timeouts.log"

read -r rc secs < <(elapsed node_id testmic)
check "node_id over a hanging pw-cli returns (after $secs s) with no id" \
	sh -c "[ $secs -le 8 ] && [ ! -s '$T/out' ]"
check "... and the timeout log names 'pw-cli ls Node'" grep -q "'pw-cli ls Node'" "$T/log/timeouts.log"

read -r rc secs < <(elapsed wait_for 5 has_node testmic)
check "wait_for 5 has_node fails (exit $rc) by its deadline, not 5 s per timed-out call (took $secs s)" \
	sh -c "[ $rc -ne 0 ] && [ $secs -le 12 ]"

read -r rc secs < <(elapsed pactl info)
check "a hanging pactl too (exit $rc after $secs s)" sh -c "[ $rc -eq 124 ] && [ $secs -le 8 ]"
: > "$T/log/timeouts.log"

# A test whose only check passes because a hanging call made a negated
# condition true: finish() fails it and names the command.
cat > "$T/negated.sh" <<SCRIPT
. "$LIB"
check "no node named x (passes: pw-cli printed nothing)" wait_for 3 sh -c "! pw-cli ls Node | grep -q x"
finish
SCRIPT
read -r rc secs < <(elapsed bash "$T/negated.sh")
check "a test whose negated wait passed over a timed-out call fails (exit $rc, $secs s)" \
	sh -c "[ $rc -ne 0 ] && [ $secs -le 20 ]"
check "... its check itself passed" grep -q "^ok   - no node named x" "$T/err"
check "... and finish() names the command that timed out" \
	grep -q "TIMEOUT: 'pw-cli ls Node'" "$T/err"

# Control: the same test with a pw-cli that answers passes, so the failure
# above comes from the timeout and nothing else.
printf '#!/bin/sh\nexit 0\n' > "$HANG/pw-cli"
read -r rc secs < <(elapsed bash "$T/negated.sh")
check "control: with a pw-cli that returns, the same test passes (exit $rc)" test "$rc" -eq 0

# privacy-mute watch runs as long as it is asked to: no timeout
check "the CLI wrapper leaves 'watch' alone" grep -q 'watch) exec' "$PM_CLI"

finish
