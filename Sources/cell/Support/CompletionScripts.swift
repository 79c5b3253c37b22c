/// The scripts `cell completion` prints. Each is a thin loop: at every TAB it runs
/// `cell __complete WORDS...` (`CommandLineCompletion`), which knows the verbs, flags and names,
/// and offers what comes back; so the scripts never go stale when a flag is added, and only what
/// each shell does differently lives here (splitting words, quoting, showing descriptions).
enum CompletionScripts {
    static let bash = #"""
        # bash completion for cell                                  -*- shell-script -*-
        #
        # Load it in this shell with `source <(cell completion bash)`, or for every session with
        # `cell completion bash > /etc/bash_completion.d/cell`. At each TAB, cell itself says what
        # the word can be (`cell __complete WORDS...`): one candidate a line, a description after
        # a tab, then ':' (only these), ':file' or ':directory' (complete a path).

        _cell() {
            local line="${COMP_LINE:0:COMP_POINT}" word cur trimmed
            local -a words=()
            local -i index
            # bash also splits words at ':' and '=' (COMP_WORDBREAKS), so busybox:latest arrives as
            # three words: glue the pieces back where the line has no blank between them.
            for (( index = 0; index <= COMP_CWORD && index < ${#COMP_WORDS[@]}; index++ )); do
                if (( index == COMP_CWORD )); then
                    # The word being completed ends at the cursor.
                    word="${line#"${line%%[![:space:]]*}"}"
                else
                    word="${COMP_WORDS[index]}"
                fi
                trimmed="${line#"${line%%[![:space:]]*}"}"
                if (( index > 0 )) && [[ "${trimmed}" == "${line}" ]] \
                    && [[ "${word}" == [:=]* || "${words[${#words[@]} - 1]}" == *[:=] ]]; then
                    words[${#words[@]} - 1]+="${word}"
                else
                    words+=("${word}")
                fi
                line="${trimmed#"${word}"}"
            done
            cur="${words[${#words[@]} - 1]}"

            local -a reply=()
            local candidate directive
            while IFS='' read -r candidate; do
                reply+=("${candidate}")
            done < <("${words[0]}" __complete "${words[@]:1}" 2>/dev/null)
            (( ${#reply[@]} > 0 )) || return 0
            directive="${reply[${#reply[@]} - 1]}"
            unset 'reply[${#reply[@]} - 1]'

            COMPREPLY=()
            case "${directive}" in
            :file|:directory)
                compopt -o filenames 2>/dev/null
                while IFS='' read -r candidate; do
                    COMPREPLY+=("${candidate}")
                done < <(compgen "$([[ "${directive}" == :file ]] && printf -- -f || printf -- -d)" -- "${cur}")
                ;;
            *)
                for candidate in "${reply[@]}"; do
                    candidate="${candidate%%$'\t'*}"
                    [[ "${candidate}" == "${cur}"* ]] && COMPREPLY+=("${candidate}")
                done
                # bash replaces only what follows the word's last colon: hand it back that part.
                if [[ "${cur}" == *:* && "${COMP_WORDBREAKS}" == *:* ]]; then
                    local colon_prefix="${cur%"${cur##*:}"}"
                    COMPREPLY=("${COMPREPLY[@]#"${colon_prefix}"}")
                fi
                ;;
            esac
        }

        complete -F _cell cell
        """#

    static let zsh = #"""
        #compdef cell
        # zsh completion for cell
        #
        # Load it in this shell with `source <(cell completion zsh)` (after compinit), or for every
        # session save it as `_cell` in a directory of $fpath. At each TAB, cell itself says what
        # the word can be (`cell __complete WORDS...`): one candidate a line, a description after
        # a tab, then ':' (only these), ':file' or ':directory' (complete a path).

        _cell() {
            local -a reply described
            local candidate name description directive
            reply=("${(@f)$("${words[1]}" __complete "${(@Q)words[2,CURRENT-1]}" "${(Q)PREFIX}" 2>/dev/null)}")
            directive="${reply[-1]}"
            [[ "${directive}" == :* ]] || return 1
            reply=("${(@)reply[1,-2]}")
            case "${directive}" in
            (:file) _files ;;
            (:directory) _files -/ ;;
            (*)
                for candidate in "${reply[@]}"; do
                    name="${candidate%%$'\t'*}"
                    description=""
                    [[ "${candidate}" == *$'\t'* ]] && description="${candidate#*$'\t'}"
                    # _describe reads NAME:DESCRIPTION: the colon of busybox:latest is escaped.
                    described+=("${name//:/\\:}${description:+:${description}}")
                done
                _describe -t values cell described
                ;;
            esac
        }

        if [[ "${funcstack[1]}" == _cell ]]; then
            _cell "$@"
        else
            compdef _cell cell
        fi
        """#

    static let fish = #"""
        # fish completion for cell
        #
        # Load it in this shell with `cell completion fish | source`, or for every session with
        # `cell completion fish > ~/.config/fish/completions/cell.fish`. At each TAB, cell itself
        # says what the word can be (`cell __complete WORDS...`): one candidate a line, a
        # description after a tab, then ':' (only these), ':file' or ':directory' (complete a path).

        function __cell_complete
            set -l tokens (commandline -opc)
            set -l current (commandline -ct)
            set -l reply (command $tokens[1] __complete $tokens[2..] $current 2>/dev/null)
            test (count $reply) -gt 0; or return
            set -l directive $reply[-1]
            set -e reply[-1]
            switch $directive
                case :file
                    __fish_complete_path $current
                case :directory
                    __fish_complete_directories $current
                case '*'
                    printf '%s\n' $reply
            end
        end

        complete -c cell -f -a '(__cell_complete)'
        """#
}
