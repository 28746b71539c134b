#!/bin/bash
# The shell completions and the man pages match the programs: every
# command and option that `--help` lists is completed (bash, zsh) and
# documented, and every module option is in the module's man page.
. "$(dirname "$0")/lib.sh"

BASH_COMP="$PM_SRC/data/completions/privacy-mute.bash"
ZSH_COMP="$PM_SRC/data/completions/_privacy-mute"
MAN="$PM_SRC/man"

# the commands and options of a --help text
help_commands() { "$1" --help | sed -n '/^Commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p'; }
help_options() { "$1" --help | grep -o '^  --[a-z-]*' | tr -d ' '; }

COMMANDS=$(help_commands "$PM_CLI")
OPTIONS=$(help_options "$PM_CLI")
POLICY_OPTIONS=$(help_options "$PM_POLICY")
check "privacy-mute --help lists commands" test -n "$COMMANDS"
check "privacy-mute --help lists options" test -n "$OPTIONS"
check "privacy-mute-policy --help lists options" test -n "$POLICY_OPTIONS"

# complete WORD...: what bash completes for the last word of
# "privacy-mute WORD..."
complete_bash() {
	bash --norc --noprofile -c '
		source "$1"; shift
		COMP_WORDS=(privacy-mute "$@"); COMP_CWORD=$#
		COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
		_privacy_mute privacy-mute "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$BASH_COMP" "$@"
}

sorted() { printf '%s\n' "$@" | sort; }

check "bash: an empty word completes to every command of --help" \
	test "$(complete_bash '')" = "$(sorted $COMMANDS)"
check "bash: 't' completes to toggle" test "$(complete_bash t)" = toggle
check "bash: 'st' completes to status" test "$(complete_bash st)" = status
check "bash: 'o' completes to on and off" test "$(complete_bash o)" = "$(sorted on off)"
check "bash: '--' completes to every option of --help" \
	test "$(complete_bash --)" = "$(sorted $OPTIONS)"
check "bash: 'status --j' completes to --json" test "$(complete_bash status --j)" = --json
check "bash: 'watch --j' completes to --json" test "$(complete_bash watch --j)" = --json
check "bash: 'on --' does not offer --json (it goes with status and watch)" \
	sh -c "! printf '%s\n' \"\$1\" | grep -qx -- --json" _ "$(complete_bash on --)"
check "bash: after a command, no second command" test -z "$(complete_bash status '')"
check "bash: options before the command, then the commands" \
	test "$(complete_bash --system --timeout 100 '')" = "$(sorted $COMMANDS)"
check "bash: nothing for the value of --timeout" test -z "$(complete_bash --timeout '')"
check "bash: nothing for the value of --timeout=" test -z "$(complete_bash --timeout = '')"
check "bash: the commands after --timeout=MS" \
	test "$(complete_bash --timeout = 100 '')" = "$(sorted $COMMANDS)"

check "zsh: the completion parses" zsh -n "$ZSH_COMP"
check "zsh: compinit picks it up for privacy-mute" \
	test "$(cd "$T" && zsh -f -c 'fpath=("$1" $fpath); autoload -Uz compinit; compinit -u -d "$2"; print -r -- $_comps[privacy-mute]' \
		_ "$(dirname "$ZSH_COMP")" "$T/zcompdump")" = _privacy-mute
for c in $COMMANDS; do
	check "zsh: completes the command $c" grep -q "^	'$c:" "$ZSH_COMP"
done
for o in $OPTIONS; do
	check "zsh: completes the option $o" grep -qE -- "[')]$o=?\\[" "$ZSH_COMP"
done

# the man pages: built, and their sources name everything --help names
for page in privacy-mute.1 privacy-mute-policy.8 libpipewire-module-privacy-mute.7; do
	check "man page $page is built" sh -c "grep -q '^\.TH' '$PM_BUILD/man/$page'"
done
for c in $COMMANDS; do
	check "privacy-mute(1) documents the command $c" grep -q "^\*$c\*" "$MAN/privacy-mute.1.scd"
done
for o in $OPTIONS; do
	check "privacy-mute(1) documents the option $o" grep -q "^\*$o\*" "$MAN/privacy-mute.1.scd"
done
for o in $POLICY_OPTIONS; do
	check "privacy-mute-policy(8) documents the option $o" grep -q "^\*$o\*" "$MAN/privacy-mute-policy.8.scd"
done
MODULE_OPTIONS=$(sed -n 's/^#define KEY_[A-Z_]*[[:space:]]*"\([a-z.-]*\)".*/\1/p' "$PM_SRC/module/options.c")
check "module/options.c defines options" test -n "$MODULE_OPTIONS"
for o in $MODULE_OPTIONS; do
	check "libpipewire-module-privacy-mute(7) documents the option $o" \
		grep -q "^\*$o\* = " "$MAN/libpipewire-module-privacy-mute.7.scd"
done

finish
