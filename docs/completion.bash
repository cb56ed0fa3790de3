# bash completion for bidx and bsearch.
#
# Installed by `make install` as share/bash-completion/completions/bidx and
# .../bsearch (bash-completion loads it by command name); or source it from
# ~/.bashrc.  It completes options, the values of --sort, --color and
# --facet, subcommands of bidx, and field names (title:, org:...) in queries.

_bidx_fields="title: org: category: date: affected: leaked: method: authority: url: phone: email: period: kind: incident:"
_bidx_facets="org category year leaked method authority kind"

# Completes a comma-separated list of facet names after what is typed.
_bidx_facet_list()
{
	local cur=$1 done_part="" last=$1
	if [[ $cur == *,* ]]; then
		done_part=${cur%,*},
		last=${cur##*,}
	fi
	local f
	COMPREPLY=()
	for f in $_bidx_facets; do
		[[ $f == "$last"* ]] && COMPREPLY+=("$done_part$f")
	done
	compopt -o nospace 2>/dev/null
}

_bsearch()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	case $prev in
	-i|--index)
		COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--sort)
		COMPREPLY=($(compgen -W "relevance date -date affected" -- "$cur")); return ;;
	--color)
		COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
	--format)
		COMPREPLY=($(compgen -W "csv tsv" -- "$cur")); return ;;
	--show)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--facet)
		_bidx_facet_list "$cur"; return ;;
	-n|--limit|--offset)
		return ;;
	esac
	case $cur in
	--sort=*)
		COMPREPLY=($(compgen -W "relevance date -date affected" -- "${cur#*=}")); return ;;
	--color=*)
		COMPREPLY=($(compgen -W "auto always never" -- "${cur#*=}")); return ;;
	--facet=*)
		_bidx_facet_list "${cur#*=}"; return ;;
	--*=*)
		return ;;
	-*)
		COMPREPLY=($(compgen -W "--index --limit --offset --json --files --count --sort
		                         --facet --exact --explain --any --format --group --show --color --null --records --serve --log-queries --help --version" -- "$cur"))
		return ;;
	*)
		COMPREPLY=($(compgen -W "$_bidx_fields" -- "$cur"))
		[[ ${#COMPREPLY[@]} -gt 0 ]] && compopt -o nospace 2>/dev/null
		return ;;
	esac
}

_bidx()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	if [[ $COMP_CWORD -eq 1 ]]; then
		COMPREPLY=($(compgen -W "build remove optimize check --help --version" -- "$cur"))
		return
	fi
	case $prev in
	-i|--index)
		COMPREPLY=($(compgen -d -- "$cur")); return ;;
	-j|--threads|--map|--exclude)
		return ;;
	esac
	local opts
	case ${COMP_WORDS[1]} in
	build)    opts="--index --threads --verbose --quiet --json --map --full --optimize --follow
	                --exclude --replace --help" ;;
	remove)   opts="--index --quiet --json --help" ;;
	optimize) opts="--index --quiet --json --help" ;;
	check)    opts="--index --json --help" ;;
	*)        return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	elif [[ ${COMP_WORDS[1]} == build || ${COMP_WORDS[1]} == remove ]]; then
		COMPREPLY=($(compgen -f -- "$cur"))
		compopt -o filenames 2>/dev/null
	fi
}

complete -F _bsearch bsearch
complete -F _bidx bidx
