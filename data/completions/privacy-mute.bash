# bash completion for privacy-mute(1)
# Needs nothing from the bash-completion package: plain `complete -F`.

_privacy_mute()
{
	local cur=${COMP_WORDS[COMP_CWORD]}
	local prev=${COMP_WORDS[COMP_CWORD - 1]}
	local commands="on off toggle status watch log lock unlock"
	local options="--timeout --system --policy-executable --help --version"
	local cmd="" i

	COMPREPLY=()
	# the value of --timeout, a number of milliseconds ("=" is a word of
	# its own with the default COMP_WORDBREAKS)
	if [[ $prev == --timeout || ( $prev == = && ${COMP_WORDS[COMP_CWORD - 2]} == --timeout ) ]]; then
		return 0
	fi
	# the value of --policy-executable: a file
	if [[ $prev == --policy-executable || ( $prev == = && ${COMP_WORDS[COMP_CWORD - 2]} == --policy-executable ) ]]; then
		COMPREPLY=($(compgen -f -- "$cur"))
		return 0
	fi

	# the command given so far, if any (skipping options and their values)
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--timeout | --policy-executable)
			((i++))
			[[ ${COMP_WORDS[i]} == = ]] && ((i++))
			;;
		--help | --version)
			return 0
			;;
		-*)
			;;
		*)
			cmd=${COMP_WORDS[i]}
			break
			;;
		esac
	done

	# --json goes with status, watch and log only
	case $cmd in
	status | watch | log | "")
		options="--json $options"
		;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$options" -- "$cur"))
	elif [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "$commands" -- "$cur"))
	fi
	return 0
}
complete -F _privacy_mute privacy-mute
