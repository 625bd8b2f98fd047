#!/bin/bash
# The terminal niceties as their real consumers see them: bash (with bash-completion) and fish
# complete bondctl from the generated scripts, zsh parses its one, and man renders every page
# without a groff warning.   check.sh DIR   (DIR holds bondctl-gen's output; meson passes it)
set -euo pipefail
dir=${1:?usage: check.sh DIR}
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

# What bash offers for a command line, the way bash-completion calls the function that
# `complete -p bondctl` names (the generated script registers it).
bash_complete() {
    bash --norc --noprofile -c '
        . /usr/share/bash-completion/bash_completion
        . "$1"; shift
        spec=$(complete -p bondctl) || { echo "no completion registered for bondctl" >&2; exit 1; }
        fn=$(sed -n "s/.* -F \([^ ]*\) .*/\1/p" <<<"$spec")
        COMP_WORDS=("$@")
        COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        COMPREPLY=()
        "$fn" bondctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf "%s\n" "${COMPREPLY[@]}"
    ' bash "$dir/bondctl" "$@" | sort
}

expect_bash() {
    local want=$1; shift
    local got
    got=$(bash_complete "$@" | tr '\n' ' ' | sed 's/ $//')
    if [ "$got" = "$want" ]; then
        echo "ok: bash completes '$*' to: $got"
    else
        bad "bash completes '$*' to '$got', expected '$want'"
    fi
}

expect_bash "create" bondctl cr

expect_bash "--method" bondctl failover-test --me
expect_bash "cable disconnect link-down" bondctl failover-test --method ""
expect_bash "802.3ad active-backup balance-alb balance-rr balance-tlb balance-xor broadcast" \
    bondctl create bond0 --mode ""
expect_bash "--remove-address --remove-option --remove-port" bondctl edit bond0 --remove-

# fish: the generated file sourced, `complete -C` asked as fish's own prompt would.
fish_first() { fish --no-config -c "source '$dir/bondctl.fish'; complete -C '$1'" | cut -f1 | sort | tr '\n' ' ' | sed 's/ $//'; }
got=$(fish_first "bondctl cr")
[ "$got" = "create" ] && echo "ok: fish completes 'bondctl cr' to: $got" || bad "fish completes 'bondctl cr' to '$got'"
got=$(fish_first "bondctl failover-test --me")
[ "$got" = "--method" ] && echo "ok: fish completes 'bondctl failover-test --me' to: $got" \
    || bad "fish completes 'bondctl failover-test --me' to '$got'"

# zsh: the completion function parses and defines _bondctl.
if zsh -n "$dir/_bondctl" && grep -q '^#compdef bondctl' "$dir/_bondctl"; then
    echo "ok: zsh parses _bondctl (#compdef bondctl)"
else
    bad "zsh cannot parse $dir/_bondctl or it lacks #compdef bondctl"
fi

# man: every page renders, with no warning from groff, and says what it documents.
for page in "$dir"/*.1; do
    name=$(basename "$page" .1)
    warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null || true)
    text=$(MANWIDTH=80 man -l "$page" 2>/dev/null | col -bx)
    if [ -n "$warnings" ]; then
        bad "man warns on $name: $warnings"
    elif ! grep -q "^NAME" <<<"$text" || ! grep -Eq "^ *$name +- " <<<"$text" || ! grep -q "^EXIT STATUS" <<<"$text"; then
        bad "man -l $page does not render NAME ($name - ...) and EXIT STATUS"
    else
        echo "ok: man -l renders $name ($(wc -l <<<"$text") lines)"
    fi
done
grep -q "bondctl-failover-test(1)" <(MANWIDTH=80 man -l "$dir/bondctl.1" 2>/dev/null | col -bx) \
    || bad "bondctl.1 does not point to bondctl-failover-test(1)"

exit $fail
