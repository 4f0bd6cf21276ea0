#!/usr/bin/env bash
# The bash completion script (tools/strata.bash-completion), driven as bash drives it: COMP_WORDS and
# COMP_CWORD set, the function called, COMPREPLY read. The expected words are strata(1)'s commands and
# options, written out here.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
t_init completion
cd "$T"
source "$STRATA_SRC/tools/strata.bash-completion"

complete_words() { # complete_words WORD...: the candidates for the last WORD, sorted, one line
  COMP_WORDS=("$STRATA_BIN" "$@")
  COMP_CWORD=$#
  COMPREPLY=()
  _strata
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}

assert_eq "backup " "$(complete_words ba)" "a command"
assert_eq "check " "$(complete_words -s store che)" "a command after a global -s STORE"
assert_eq "cat check coalesce " "$(complete_words c)" "commands with one prefix"
assert_eq "--exclude --exclude-caches --exclude-from " "$(complete_words backup --exc)" "backup's options"
assert_eq "--overwrite " "$(complete_words restore -s store latest out --ov)" "restore's options"
assert_eq "--read-data " "$(complete_words check --re)" "check's options"
assert_eq "umount unlock " "$(complete_words help u)" "commands after help"
mkdir store-dir
assert_eq "store-dir " "$(complete_words backup -s sto)" "a store directory after -s"
complete -p strata | grep -q -- '-F _strata' || fail "not registered for strata"
pass "registered for strata"
