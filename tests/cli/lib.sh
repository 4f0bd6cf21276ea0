# shellcheck shell=bash disable=SC2034
# (SC2034: the EDGE_* and T_* variables are for the sourcing scripts.)
# tests/cli/lib.sh - shared helpers for strata CLI integration tests.
#
# Source it from a tests/cli/*_test.sh script:
#
#   set -euo pipefail
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   t_init my_test                 # scratch dir in $T, summary line at exit
#   make_edge_tree "$T/src"
#   expect_exit 0 strata backup ...
#   compare_trees "$T/src" "$T/restored"
#
# Functions (details above each definition)
#   harness   t_init NAME, t_defer CMD..., pass MSG, fail MSG, note MSG,
#             check DESC CMD..., check_not DESC CMD..., assert_eq EXP ACT [DESC],
#             expect_exit CODE CMD..., expect_stderr_line REGEX,
#             expect_stdout_match REGEX, expect_stderr_match REGEX,
#             strata ARGS... (runs $STRATA_BIN)
#   trees     make_edge_tree [--many N] DIR, mutate_tree DIR STEP,
#             make_bulk_tree DIR, mutate_bulk_tree DIR STEP,
#             save_version DIR OUT
#   store     snapshot_ids STORE, pack_bytes STORE, pack_objects STORE,
#             store_state STORE, summary_field NAME,
#             restores_exactly STORE PASSWORD N [SAVED]
#   oracle    meta_listing [--no-root] DIR, trees_equal [--no-root] A B,
#             compare_trees [--no-root] A B, file_content_equal A B...,
#             sparse_ok FILE [MAX_ALLOCATED_BYTES],
#             fs_supports_user_xattr DIR, fs_supports_acl DIR
#
# Conventions
#   * compare_trees = `diff -r --no-dereference` AND equal meta_listing
#     output, with two documented refinements of the diff part: regular files
#     bigger than STRATA_DIFF_BIG are compared hole-aware (diff needs ~20 s to
#     read a 5 GiB hole), and the "File X is a fifo while file Y is a fifo"
#     lines diff prints for every pair of same-type special files are ignored
#     (meta_listing compares their type, metadata and rdev).
#   * Every check (pass/fail/expect_*/compare_trees) counts; the EXIT trap
#     prints "N passed, M failed" as the last line of the script's output.
#   * fail prints "FAIL: ..." on stderr and exits 1.  Inside a subshell it only
#     ends the subshell, which is how the self-test asserts that checks fail.
#   * Library functions never rely on `set -e` for their own error handling,
#     so they behave the same inside `if`, `||` and subshells.
#   * Helpers that only answer a question (trees_equal, sparse_ok, ...)
#     return a status instead of failing; the others fail on error.
#   * Keep the trees a test compares in subdirectories of $T: $T itself also
#     holds the captured outputs (.last_stdout, .last_stderr) and the
#     oracle's scratch files (.lib.PID).
#   * Do not set an EXIT trap after t_init (it would replace the library's);
#     use t_defer for cleanup such as unmounting or killing a daemon.
#
# Environment
#   TMPDIR             parent of the scratch dir (default /tmp)
#   STRATA_KEEP=1      keep the scratch dir after the test
#   STRATA_BIN         the strata binary (used by the `strata` wrapper)
#   STRATA_DIFF_BIG    regular files larger than this many bytes are compared
#                      hole-aware instead of by diff(1) (default 64 MiB)
#   T_STDIN            file fed to commands run by expect_exit (default /dev/null)
#   STRATA_PASSWORD    store password for every command (t_init sets a test one)
#   STRATA_PYTHON      python3 to use (default /usr/bin/python3, else PATH);
#                      "none" disables it (random data from /dev/urandom,
#                      big files compared with cmp)

if [[ -n ${_STRATA_TESTLIB_LOADED:-} ]]; then
  return 0
fi
_STRATA_TESTLIB_LOADED=1

_T_PASS=0
_T_FAIL=0
_T_NAME=""
_T_T0=""
_T_DEFERRED=()
T=""
T_DIR=""
T_STDOUT=""
T_STDERR=""
T_RC=""

# python3 is optional (deterministic random data, hole-aware compares).  The
# system interpreter starts fastest; STRATA_PYTHON overrides.
if [[ ${STRATA_PYTHON:-} == none ]]; then
  _T_PY=""
elif [[ -n ${STRATA_PYTHON:-} ]]; then
  _T_PY=$STRATA_PYTHON
elif [[ -x /usr/bin/python3 ]]; then
  _T_PY=/usr/bin/python3
else
  _T_PY=$(command -v python3 || true)
fi

# Fixed timestamps used by make_edge_tree (nanosecond precision on purpose).
EDGE_MTIME_FILE=1700000000.111111111
EDGE_MTIME_DIR=1700000000.222222222
# Paths inside an edge tree that tests commonly need.
EDGE_SPARSE_REL=sparse/sparse-5g.img
EDGE_RANDOM_REL=files/random-3m
# Feature flags set by make_edge_tree (1 = present in the tree).
EDGE_HAVE_XATTR=0
EDGE_HAVE_ACL=0
EDGE_HAVE_DEVICES=0
EDGE_HAVE_CHOWN=0

# ---------------------------------------------------------------------------
# Harness basics
# ---------------------------------------------------------------------------

# t_init NAME: strict mode, scratch dir $T (also $T_DIR), EXIT/ERR traps,
# XDG_CACHE_HOME=$T/.cache.
t_init() {
  local name=${1:-test}
  set -Eeuo pipefail
  shopt -s inherit_errexit 2>/dev/null || true
  name=${name//[^A-Za-z0-9._-]/_}
  _T_NAME=$name
  _t_now _T_T0
  if ! T=$(mktemp -d "${TMPDIR:-/tmp}/strata-$name.XXXXXX") || ! T=$(cd -- "$T" && pwd -P); then
    echo "FAIL: t_init: cannot create scratch dir under ${TMPDIR:-/tmp}" >&2
    exit 1
  fi
  T_DIR=$T
  T_STDOUT=$T/.last_stdout
  T_STDERR=$T/.last_stderr
  : >"$T_STDOUT"
  : >"$T_STDERR"
  export T T_DIR
  # Mounts keep a block cache under $XDG_CACHE_HOME: a test's belongs in its scratch dir, not in ~/.cache.
  export XDG_CACHE_HOME=$T/.cache
  # Stores are encrypted by default: every command finds this password (tests that need another, or
  # none, unset or override it). Tests make stores with --kdf minimum or --encryption none, so that
  # unlocking costs nothing.
  export STRATA_PASSWORD=${STRATA_PASSWORD:-strata-test-password}
  trap '_t_on_exit' EXIT
  trap '_t_on_err' ERR
}

# t_defer CMD...: run CMD at exit (LIFO), before the scratch dir is removed.
t_defer() {
  local q
  printf -v q '%q ' "$@"
  _T_DEFERRED+=("$q")
}

_t_on_err() {
  local rc=$? i
  # Only report what is about to end the script: errexit on, main shell (a
  # failing command substitution is reported where its result is used).
  [[ $- == *e* && $BASH_SUBSHELL == 0 ]] || return 0
  echo "ERROR: command failed with status $rc: ${BASH_COMMAND}" >&2
  for ((i = 1; i < ${#FUNCNAME[@]}; i++)); do
    echo "    at ${FUNCNAME[i]} (${BASH_SOURCE[i]:-?}:${BASH_LINENO[i - 1]:-?})" >&2
  done
}

_t_on_exit() {
  local rc=$?
  trap - ERR
  set +e
  local i
  for ((i = ${#_T_DEFERRED[@]} - 1; i >= 0; i--)); do
    (eval "${_T_DEFERRED[i]}") || echo "warning: deferred command failed: ${_T_DEFERRED[i]}" >&2
  done
  if ((rc != 0 && _T_FAIL == 0)); then
    echo "FAIL: $_T_NAME: aborted with exit status $rc" >&2
    _T_FAIL=1
  fi
  if [[ -n $T && -d $T ]]; then
    if [[ ${STRATA_KEEP:-0} == 1 ]]; then
      echo "# kept scratch dir: $T" >&2
    else
      _t_rmtree "$T"
    fi
  fi
  local el
  _t_elapsed el
  echo "# $_T_NAME: ${el}s"
  echo "$_T_PASS passed, $_T_FAIL failed"
  exit "$rc"
}

# _t_now VAR: VAR=current time as SECONDS.MICROSECONDS (no process started).
_t_now() {
  local -n _tn_out=$1
  _tn_out=${EPOCHREALTIME/,/.}
}

# _t_elapsed VAR [SINCE]: VAR=seconds since SINCE (default: t_init), as S.mmm.
_t_elapsed() {
  local -n _te_out=$1
  local since=${2:-$_T_T0} now
  _t_now now
  local ns=${now%.*} nf=${now#*.}000 ss=${since%.*} sf=${since#*.}000
  local ms=$(((10#$ns * 1000 + 10#${nf:0:3}) - (10#$ss * 1000 + 10#${sf:0:3})))
  printf -v _te_out '%d.%03d' $((ms / 1000)) $((ms % 1000))
}

# Lazily unmount anything still mounted below DIR, then remove DIR without
# crossing into other file systems.
_t_rmtree() {
  local dir=$1 mp i
  if [[ -r /proc/self/mounts ]]; then
    local -a mps=()
    while read -r _ mp _; do
      printf -v mp '%b' "$mp" # /proc/mounts escapes space etc. as \040
      [[ $mp == "$dir"/* ]] && mps+=("$mp")
    done </proc/self/mounts
    for ((i = ${#mps[@]} - 1; i >= 0; i--)); do
      fusermount3 -u -z "${mps[i]}" 2>/dev/null || umount -l "${mps[i]}" 2>/dev/null ||
        echo "warning: could not unmount ${mps[i]}" >&2
    done
  fi
  rm -rf --one-file-system -- "$dir" 2>/dev/null || {
    chmod -R u+rwX -- "$dir" 2>/dev/null
    rm -rf --one-file-system -- "$dir" || echo "warning: could not remove $dir" >&2
  }
}

_t_need_init() {
  [[ -n $T && -d $T ]] || fail "$1: call t_init first"
}

# fail MSG: print "FAIL: MSG" on stderr and exit 1.
fail() {
  _T_FAIL=$((_T_FAIL + 1))
  printf 'FAIL: %s\n' "$*" >&2
  exit 1
}

# pass MSG: count a successful check.
pass() {
  _T_PASS=$((_T_PASS + 1))
  printf 'PASS: %s\n' "$*"
}

# note MSG: informational line, prefixed with the seconds since t_init.
note() {
  local el
  if [[ -n $_T_T0 ]]; then
    _t_elapsed el
    printf '# [%ss] %s\n' "$el" "$*"
  else
    printf '# %s\n' "$*"
  fi
}

# check DESC CMD...: pass if CMD succeeds, fail otherwise.
check() {
  local desc=$1
  shift
  if "$@"; then pass "$desc"; else fail "$desc ($(_t_quote_cmd "$@") returned $?)"; fi
}

# check_not DESC CMD...: pass if CMD fails, fail if it succeeds.
check_not() {
  local desc=$1
  shift
  if "$@"; then fail "$desc ($(_t_quote_cmd "$@") unexpectedly succeeded)"; else pass "$desc"; fi
}

# assert_eq EXPECTED ACTUAL [DESC]
assert_eq() {
  if [[ $1 == "$2" ]]; then
    pass "${3:-values equal}: $(_t_q "$2")"
  else
    fail "${3:-values differ}: expected $(_t_q "$1"), got $(_t_q "$2")"
  fi
}

# _t_q STRING: STRING quoted for messages: 'plain' or bash $'...' quoting.
_t_q() {
  local q
  if [[ $1 != *[!\ -~]* && $1 != *\'* ]]; then
    printf "'%s'" "$1"
  else
    printf -v q '%q' "$1"
    printf '%s' "$q"
  fi
}

_t_quote_cmd() {
  local q
  printf -v q '%q ' "$@"
  printf '%s' "${q% }"
}

# _t_show LABEL FILE [MAXLINES]: dump a file on stderr, truncated (builtins
# only: it runs on every failing check).
_t_show() {
  local label=$1 file=$2 max=${3:-200}
  local -a lines=()
  [[ -r $file ]] && mapfile -t lines <"$file"
  local n=${#lines[@]}
  {
    echo "--- $label ($n lines) ---"
    ((n == 0)) || printf '%s\n' "${lines[@]:0:max}"
    ((n <= max)) || echo "... ($((n - max)) more lines)"
    echo "--- end $label ---"
  } >&2
}

# strata ARGS...: run $STRATA_BIN.
strata() {
  [[ -n ${STRATA_BIN:-} ]] || fail "STRATA_BIN is not set"
  "$STRATA_BIN" "$@"
}

# expect_exit CODE CMD...: run CMD (stdin from $T_STDIN or /dev/null),
# stdout -> $T_STDOUT, stderr -> $T_STDERR, exit status -> $T_RC.
# Fails, showing both outputs, unless the exit status is CODE.
expect_exit() {
  (($# >= 2)) || fail "usage: expect_exit CODE CMD..."
  _t_need_init expect_exit
  local want=$1
  shift
  local rc=0
  "$@" >"$T_STDOUT" 2>"$T_STDERR" <"${T_STDIN:-/dev/null}" || rc=$?
  T_RC=$rc
  if [[ $rc != "$want" ]]; then
    _t_show stdout "$T_STDOUT"
    _t_show stderr "$T_STDERR"
    fail "expected exit status $want, got $rc: $(_t_quote_cmd "$@")"
  fi
  pass "exit $rc: $(_t_quote_cmd "$@")"
}

# expect_stderr_line REGEX: the last captured stderr is exactly one line
# (trailing newline optional) and that line matches the bash ERE REGEX.
expect_stderr_line() {
  _t_need_init expect_stderr_line
  local re=$1 n size line=""
  size=$(stat -c %s -- "$T_STDERR")
  n=$(wc -l <"$T_STDERR")
  if ((size == 0)) || ((n > 1)) || { ((n == 1)) && [[ $(tail -c 1 -- "$T_STDERR" | od -An -c) != *'\n'* ]]; }; then
    _t_show stderr "$T_STDERR"
    fail "expected exactly one line on stderr matching /$re/"
  fi
  IFS= read -r line <"$T_STDERR" || true
  if [[ $line =~ $re ]]; then
    pass "stderr line matches /$re/"
  else
    _t_show stderr "$T_STDERR"
    fail "stderr line does not match /$re/"
  fi
}

# expect_stdout_match REGEX / expect_stderr_match REGEX: some line of the last
# captured output matches the grep ERE REGEX.
expect_stdout_match() {
  _t_need_init expect_stdout_match
  if grep -Eq -- "$1" "$T_STDOUT"; then pass "stdout matches /$1/"; else
    _t_show stdout "$T_STDOUT"
    fail "no stdout line matches /$1/"
  fi
}
expect_stderr_match() {
  _t_need_init expect_stderr_match
  if grep -Eq -- "$1" "$T_STDERR"; then pass "stderr matches /$1/"; else
    _t_show stderr "$T_STDERR"
    fail "no stderr line matches /$1/"
  fi
}

# ---------------------------------------------------------------------------
# File-system probes
# ---------------------------------------------------------------------------

# fs_supports_user_xattr DIR / fs_supports_acl DIR: probe with a temp file.
fs_supports_user_xattr() {
  local f rc=1
  f=$(mktemp "$1/.xattr-probe.XXXXXX") || return 2
  setfattr -n user.strata_probe -v 1 -- "$f" 2>/dev/null && rc=0
  rm -f -- "$f"
  return $rc
}
fs_supports_acl() {
  local f rc=1
  f=$(mktemp "$1/.acl-probe.XXXXXX") || return 2
  setfacl -m u:1234:r -- "$f" 2>/dev/null && rc=0
  rm -f -- "$f"
  return $rc
}

# sparse_ok FILE [MAX_ALLOCATED_BYTES]: success if FILE is a regular file whose
# allocated size is at most MAX_ALLOCATED_BYTES, or (without the argument)
# less than a tenth of its apparent size.
sparse_ok() {
  local f=$1 size blocks
  [[ -f $f && ! -L $f ]] || return 2
  read -r size blocks < <(stat -c '%s %b' -- "$f") || return 2
  local alloc=$((blocks * 512)) # st_blocks is always in 512-byte units
  if [[ -n ${2:-} ]]; then
    ((alloc <= $2))
  else
    ((size > 0 && alloc * 10 < size))
  fi
}

# ---------------------------------------------------------------------------
# Edge-case tree
# ---------------------------------------------------------------------------

# _t_prng_bytes N SEED: N deterministic pseudo-random bytes on stdout.
_t_prng_bytes() {
  if [[ -n $_T_PY ]]; then
    "$_T_PY" -c '
import random, sys
n = int(sys.argv[1])
r = random.Random(sys.argv[2])
sys.stdout.buffer.write(r.getrandbits(n * 8).to_bytes(n, "little") if n else b"")
' "$1" "$2"
  else
    head -c "$1" /dev/urandom
  fi
}

# _t_write_at FILE OFFSET: write stdin into FILE at byte OFFSET, in place.
_t_write_at() {
  dd of="$1" bs=64K seek="$2" oflag=seek_bytes conv=notrunc iflag=fullblock status=none
}

# make_edge_tree [--many N] DIR: build a deterministic tree full of backup
# edge cases.  DIR must not exist (or be an empty directory).  --many sets the
# number of files in many/ (default 20000; a small tree makes a fast oracle).
# Sets EDGE_HAVE_XATTR, EDGE_HAVE_ACL, EDGE_HAVE_DEVICES, EDGE_HAVE_CHOWN to
# 0/1 (a feature the file system or user lacks is skipped with a warning).
# Contents are deterministic when python3 is available (else random data
# comes from /dev/urandom); timestamps, modes, owners always are.
#
# Layout (relative to DIR):
#   files/      empty, one (1 byte), b4095 b4096 b4097, random-3m (3 MiB+12345,
#               pseudo-random), text.txt (compressible), zeros-64k (written
#               zeros, not sparse), replace-me
#   sparse/     sparse-5g.img: 5 GiB apparent, data at 2 GiB+12345 (22 B),
#               2.5 GiB (8 KiB) and the last 17 bytes; all-hole-1g: no data
#   links/      a/h1 a/h2 b/h3 (one inode), pair1 pair2 (one inode)
#   symlinks/   rel abs dangling todir chain(->rel) long-target weird-target
#   special/    fifo, chardev (c 1:3), blockdev (b 259:70000)        [root]
#   modes/      d0700 d0755 d2775 d1777 d0555 (each with a file "inside"),
#               f0600 f0644 f0755 f4755 f0000
#   xattr/      with-xattrs (user.bin binary, user.empty empty, user.text,
#               user.big 1 KiB), dir-with-xattr/, with-acl (access ACL),
#               acl-dir/ (access + default ACL)
#   names/      $'\xff\xfe', $'new\nline', '-leading dash with spaces ',
#               255-byte name, tab, backslash, glob chars, .hidden, UTF-8
#   deep/       40 nested directories, path > 1000 bytes, bottom.txt
#   many/       20000 (--many) files f00000..f19999; every 8th holds
#               "file NNNNN\n", the others are empty (an empty file uses no
#               block: this keeps the tree < 30 MiB on disk)
#   empty-dir/
#   times/      ns, pre-1970, epoch, future (2100), symlink (touch -h), dir/
#   owners/     u1234 (1234:5678), nobody (nobody:nogroup), link-u1234
#               (symlink, 1234:5678), dir-u1234/                  [root]
# All other mtimes: files $EDGE_MTIME_FILE, directories $EDGE_MTIME_DIR.
make_edge_tree() {
  local many=20000
  if [[ ${1:-} == --many ]]; then
    many=${2:?usage: make_edge_tree [--many N] DIR}
    shift 2
  fi
  [[ $many =~ ^[0-9]+$ ]] || fail "make_edge_tree: --many needs a number"
  local d=${1:?usage: make_edge_tree [--many N] DIR}
  if [[ -e $d || -L $d ]]; then
    [[ -d $d && ! -L $d && -z $(ls -A -- "$d") ]] || fail "make_edge_tree: $d exists and is not an empty directory"
  fi
  if ! mkdir -p -- "$d" || ! chmod 0755 "$d"; then fail "make_edge_tree: cannot create $d"; fi
  d=$(cd -- "$d" && pwd -P) || fail "make_edge_tree: cannot enter $d"
  local old_umask
  old_umask=$(umask)
  umask 022
  if _t_edge_build "$d" "$many"; then
    umask "$old_umask"
  else
    umask "$old_umask"
    fail "make_edge_tree: building $d failed"
  fi
}

# _t_err_at LINE: report a failed builder command, print 1 (for return).
_t_err_at() {
  echo "error: command at ${BASH_SOURCE[0]}:$1 failed" >&2
  echo 1
}

_t_edge_build() {
  local d=$1 many=$2 i f GiB=$((1024 * 1024 * 1024))
  local root=0
  [[ $(id -u) == 0 ]] && root=1
  EDGE_HAVE_XATTR=0 EDGE_HAVE_ACL=0 EDGE_HAVE_DEVICES=0 EDGE_HAVE_CHOWN=0
  fs_supports_user_xattr "$d" && EDGE_HAVE_XATTR=1
  fs_supports_acl "$d" && EDGE_HAVE_ACL=1
  ((EDGE_HAVE_XATTR)) || echo "warning: $d: no user.* xattr support, xattr cases skipped" >&2
  ((EDGE_HAVE_ACL)) || echo "warning: $d: no POSIX ACL support, ACL cases skipped" >&2

  mkdir -p "$d"/{files,sparse,links/a,links/b,symlinks,special,modes,xattr,names,deep,many,empty-dir,times/dir,owners} || return "$(_t_err_at $LINENO)"

  # --- regular files of assorted sizes --------------------------------------
  local rnd=$d/files/random-3m
  : >"$d/files/empty" || return "$(_t_err_at $LINENO)"
  printf 'x' >"$d/files/one" || return "$(_t_err_at $LINENO)"
  _t_prng_bytes $((3 * 1024 * 1024 + 12345)) strata-edge-random >"$rnd" || return "$(_t_err_at $LINENO)"
  head -c 4095 "$rnd" >"$d/files/b4095" || return "$(_t_err_at $LINENO)"
  dd if="$rnd" of="$d/files/b4096" iflag=skip_bytes,count_bytes skip=5000 count=4096 status=none || return "$(_t_err_at $LINENO)"
  dd if="$rnd" of="$d/files/b4097" iflag=skip_bytes,count_bytes skip=10000 count=4097 status=none || return "$(_t_err_at $LINENO)"
  seq -f 'line %06g: the quick brown fox jumps over the lazy dog' 1 4000 >"$d/files/text.txt" || return "$(_t_err_at $LINENO)"
  head -c 65536 /dev/zero >"$d/files/zeros-64k" || return "$(_t_err_at $LINENO)"
  printf 'this regular file becomes a symlink in mutate_tree step 10\n' >"$d/files/replace-me" || return "$(_t_err_at $LINENO)"

  # --- sparse files -----------------------------------------------------------
  local sp=$d/$EDGE_SPARSE_REL
  truncate -s $((5 * GiB)) "$sp" || return "$(_t_err_at $LINENO)"
  sparse_ok "$sp" 65536 || { echo "make_edge_tree: truncate did not create a hole (no sparse file support?)" >&2; return 1; }
  printf 'STRATA-SPARSE-MIDDLE-1' | _t_write_at "$sp" $((2 * GiB + 12345)) || return "$(_t_err_at $LINENO)"
  head -c 8192 "$rnd" | _t_write_at "$sp" $((5 * GiB / 2)) || return "$(_t_err_at $LINENO)"
  printf 'STRATA-SPARSE-END' | _t_write_at "$sp" $((5 * GiB - 17)) || return "$(_t_err_at $LINENO)"
  [[ $(stat -c %s "$sp") == $((5 * GiB)) ]] || { echo "make_edge_tree: sparse file has wrong size" >&2; return 1; }
  sparse_ok "$sp" $((1024 * 1024)) || { echo "make_edge_tree: $sp is not sparse" >&2; return 1; }
  truncate -s "$GiB" "$d/sparse/all-hole-1g" || return "$(_t_err_at $LINENO)"

  # --- hardlinks --------------------------------------------------------------
  printf 'hardlink group of three names in two directories\n' >"$d/links/a/h1" || return "$(_t_err_at $LINENO)"
  ln "$d/links/a/h1" "$d/links/a/h2" || return "$(_t_err_at $LINENO)"
  ln "$d/links/a/h1" "$d/links/b/h3" || return "$(_t_err_at $LINENO)"
  printf 'hardlinked pair\n' >"$d/links/pair1" || return "$(_t_err_at $LINENO)"
  ln "$d/links/pair1" "$d/links/pair2" || return "$(_t_err_at $LINENO)"

  # --- symlinks ---------------------------------------------------------------
  ln -s ../files/one "$d/symlinks/rel" || return "$(_t_err_at $LINENO)"
  ln -s /etc/hostname "$d/symlinks/abs" || return "$(_t_err_at $LINENO)"
  ln -s does/not/exist "$d/symlinks/dangling" || return "$(_t_err_at $LINENO)"
  ln -s ../files "$d/symlinks/todir" || return "$(_t_err_at $LINENO)"
  ln -s rel "$d/symlinks/chain" || return "$(_t_err_at $LINENO)"
  local long=""
  for ((i = 0; i < 100; i++)); do long+="0123456789"; done
  ln -s "$long" "$d/symlinks/long-target" || return "$(_t_err_at $LINENO)"
  ln -s $'weird\ntarget\xff' "$d/symlinks/weird-target" || return "$(_t_err_at $LINENO)"

  # --- special files ----------------------------------------------------------
  mkfifo "$d/special/fifo" || return "$(_t_err_at $LINENO)"
  if ((root)) && mknod "$d/special/chardev" c 1 3 2>/dev/null && mknod "$d/special/blockdev" b 259 70000 2>/dev/null; then
    EDGE_HAVE_DEVICES=1
  else
    rm -f "$d/special/chardev" "$d/special/blockdev"
    echo "warning: cannot create device nodes, device cases skipped" >&2
  fi

  # --- modes ------------------------------------------------------------------
  local m
  for m in 0700 0755 2775 1777 0555; do
    mkdir "$d/modes/d$m" && printf 'inside d%s\n' "$m" >"$d/modes/d$m/inside" || return "$(_t_err_at $LINENO)"
  done
  for m in 0600 0644 0755 4755 0000; do
    printf 'mode %s\n' "$m" >"$d/modes/f$m" || return "$(_t_err_at $LINENO)"
  done

  # --- xattrs and ACLs --------------------------------------------------------
  printf 'file with extended attributes\n' >"$d/xattr/with-xattrs" || return "$(_t_err_at $LINENO)"
  mkdir "$d/xattr/dir-with-xattr" || return "$(_t_err_at $LINENO)"
  printf 'file with an access ACL\n' >"$d/xattr/with-acl" || return "$(_t_err_at $LINENO)"
  mkdir "$d/xattr/acl-dir" || return "$(_t_err_at $LINENO)"
  if ((EDGE_HAVE_XATTR)); then
    setfattr -n user.bin -v 0x00ff0a0d7f80 "$d/xattr/with-xattrs" &&
      setfattr -n user.empty "$d/xattr/with-xattrs" &&
      setfattr -n user.text -v 'hello world' "$d/xattr/with-xattrs" &&
      setfattr -n user.big -v "0x$(head -c 1024 "$rnd" | od -An -v -tx1 | tr -d ' \n')" "$d/xattr/with-xattrs" &&
      setfattr -n user.dir -v 0x01 "$d/xattr/dir-with-xattr" || return "$(_t_err_at $LINENO)"
  fi

  # --- awkward names ----------------------------------------------------------
  local n
  for n in $'\xff\xfe' $'new\nline' '-leading dash with spaces ' $'tab\there' 'back\slash' 'glob*?[x]' '.hidden' 'UTF-8 ünïcödé ✓'; do
    printf 'name test\n' >"$d/names/$n" || return "$(_t_err_at $LINENO)"
  done
  n='long-name-'
  while ((${#n} < 255)); do n+=x; done
  printf '255-byte name\n' >"$d/names/$n" || return "$(_t_err_at $LINENO)"

  # --- deep path --------------------------------------------------------------
  local p=$d/deep
  for ((i = 1; i <= 40; i++)); do p+=$(printf '/level-%02d-abcdefghijklmnop' "$i"); done
  mkdir -p "$p" && printf 'bottom of a deep tree\n' >"$p/bottom.txt" || return "$(_t_err_at $LINENO)"

  # --- many small files -------------------------------------------------------
  (
    cd "$d/many" || exit 1
    if ((many > 0)); then seq -f 'f%05g' 0 $((many - 1)) | xargs touch || exit 1; fi
    for ((i = 0; i < many; i += 8)); do printf -v f 'f%05d' "$i"; printf 'file %05d\n' "$i" >"$f" || exit 1; done
  ) || return "$(_t_err_at $LINENO)"

  # --- ownership --------------------------------------------------------------
  printf 'owned by 1234:5678\n' >"$d/owners/u1234" || return "$(_t_err_at $LINENO)"
  printf 'owned by nobody\n' >"$d/owners/nobody" || return "$(_t_err_at $LINENO)"
  ln -s u1234 "$d/owners/link-u1234" || return "$(_t_err_at $LINENO)"
  mkdir "$d/owners/dir-u1234" || return "$(_t_err_at $LINENO)"
  if ((root)); then
    local nobody_grp=nogroup
    getent group nogroup >/dev/null 2>&1 || nobody_grp=65534
    local nobody_usr=nobody
    getent passwd nobody >/dev/null 2>&1 || nobody_usr=65534
    chown 1234:5678 "$d/owners/u1234" "$d/owners/dir-u1234" &&
      chown "$nobody_usr:$nobody_grp" "$d/owners/nobody" &&
      chown -h 1234:5678 "$d/owners/link-u1234" || return "$(_t_err_at $LINENO)"
    EDGE_HAVE_CHOWN=1
  else
    echo "warning: not root, ownership cases skipped" >&2
  fi

  # --- modes (after chown, which clears set-id bits) ---------------------------
  for m in 0700 0755 2775 1777 0555; do chmod "$m" "$d/modes/d$m" || return "$(_t_err_at $LINENO)"; done
  for m in 0600 0644 0755 4755 0000; do chmod "$m" "$d/modes/f$m" || return "$(_t_err_at $LINENO)"; done

  # --- ACLs (after chmod, since they set the group/mask bits) -----------------
  if ((EDGE_HAVE_ACL)); then
    setfacl -m u:1234:rw-,g:5678:r-- "$d/xattr/with-acl" &&
      setfacl -m u:1234:rwx "$d/xattr/acl-dir" &&
      setfacl -d -m u:1234:rwx,g:5678:r-x "$d/xattr/acl-dir" || return "$(_t_err_at $LINENO)"
  fi

  # --- timestamps: everything gets a fixed ns mtime, directories last ---------
  local gd
  _t_glob_escape gd "$d"
  find "$d" ! -type d ! -path "$gd/times/*" -print0 | xargs -0 touch -h -d "@$EDGE_MTIME_FILE" || return "$(_t_err_at $LINENO)"
  printf 'ns\n' >"$d/times/ns" && touch -d @1234567890.123456789 "$d/times/ns" || return "$(_t_err_at $LINENO)"
  printf 'pre-1970\n' >"$d/times/pre-1970" && touch -d @-123456789.987654321 "$d/times/pre-1970" || return "$(_t_err_at $LINENO)"
  printf 'epoch\n' >"$d/times/epoch" && touch -d @0 "$d/times/epoch" || return "$(_t_err_at $LINENO)"
  printf 'future\n' >"$d/times/future" && touch -d @4102444800.999999999 "$d/times/future" || return "$(_t_err_at $LINENO)"
  ln -s ns "$d/times/symlink" && touch -h -d @1000000000.000000001 "$d/times/symlink" || return "$(_t_err_at $LINENO)"
  find "$d" -type d ! -path "$gd/times/dir" -print0 | xargs -0 touch -d "@$EDGE_MTIME_DIR" || return "$(_t_err_at $LINENO)"
  touch -d @1111111111.111111111 "$d/times/dir" || return "$(_t_err_at $LINENO)"
}

# mutate_tree DIR STEP: apply mutation STEP (1..10) to an edge tree.  Every
# step works on a fresh edge tree and after any subset of the other steps, but
# each step can be applied only once.  Modified entries (and directories whose
# entries change) get the deterministic mtime @(1710000000+1000*STEP).STEP*1001ns.
#   1 append to files/text.txt
#   2 insert 777 bytes in the middle of files/random-3m (same inode)
#   3 truncate files/b4097 to 100 bytes
#   4 overwrite 64 KiB in place at 1 MiB in files/random-3m; write 16 bytes
#     into a hole of sparse/sparse-5g.img at 4 GiB
#   5 delete files/one and recreate it with different content
#   6 rename files/b4095 -> files/b4095.renamed and many -> many-renamed
#     (renamed entries keep their mtimes)
#   7 chmod modes/f0644 0640, modes/f0755 2755, modes/d0755 0750, files/empty 0444
#   8 touch (mtime only) files/b4096, times/ns, symlinks/rel (-h), modes/d1777
#   9 xattrs of xattr/with-xattrs changed (user.bin new value, user.empty
#     removed, user.added added; skipped without xattr support), hardlink
#     links/a/h4 added to the h1 group, links/pair2 removed
#  10 new dir newdir/ (a.txt, sub/b.bin), deep/ deleted, files/replace-me
#     replaced by a symlink, symlinks/chain replaced by a file, empty-dir
#     replaced by a regular file
mutate_tree() {
  local d=${1:?usage: mutate_tree DIR STEP} step=${2:?usage: mutate_tree DIR STEP}
  [[ -d $d ]] || fail "mutate_tree: $d is not a directory"
  [[ $step =~ ^([1-9]|10)$ ]] || fail "mutate_tree: step must be 1..10, got $step"
  local ts
  ts=@$((1710000000 + step * 1000)).$(printf '%09d' $((step * 1001)))
  local old_umask
  old_umask=$(umask)
  umask 022
  if _t_mutate "$d" "$step" "$ts"; then
    umask "$old_umask"
  else
    umask "$old_umask"
    fail "mutate_tree: step $step on $d failed"
  fi
}

_t_mutate() {
  local d=$1 step=$2 ts=$3 GiB=$((1024 * 1024 * 1024)) tmp m1 m2
  case $step in
  1)
    printf 'appended by mutate_tree step 1\n' >>"$d/files/text.txt" &&
      touch -d "$ts" "$d/files/text.txt"
    ;;
  2)
    local f=$d/files/random-3m mid=1572871
    tmp=$(mktemp "${TMPDIR:-/tmp}/strata-mutate.XXXXXX") || return "$(_t_err_at $LINENO)"
    {
      head -c "$mid" "$f" && _t_prng_bytes 777 strata-step-2 && tail -c +$((mid + 1)) "$f"
    } >"$tmp" && cat "$tmp" >"$f" && rm -f "$tmp" && touch -d "$ts" "$f"
    ;;
  3)
    truncate -s 100 "$d/files/b4097" && touch -d "$ts" "$d/files/b4097"
    ;;
  4)
    head -c 65536 "$d/files/text.txt" | _t_write_at "$d/files/random-3m" $((1024 * 1024)) &&
      printf 'STEP-4-OVERWRITE' | _t_write_at "$d/$EDGE_SPARSE_REL" $((4 * GiB)) &&
      touch -d "$ts" "$d/files/random-3m" "$d/$EDGE_SPARSE_REL"
    ;;
  5)
    rm -f "$d/files/one" && printf 'recreated by mutate_tree step 5\n' >"$d/files/one" &&
      touch -d "$ts" "$d/files/one" "$d/files"
    ;;
  6)
    m1=$(stat -c %.9Y "$d/files/b4095") && m2=$(stat -c %.9Y "$d/many") &&
      mv "$d/files/b4095" "$d/files/b4095.renamed" && mv "$d/many" "$d/many-renamed" &&
      touch -d "@$m1" "$d/files/b4095.renamed" && touch -d "@$m2" "$d/many-renamed" &&
      touch -d "$ts" "$d/files" "$d"
    ;;
  7)
    chmod 0640 "$d/modes/f0644" && chmod 2755 "$d/modes/f0755" &&
      chmod 0750 "$d/modes/d0755" && chmod 0444 "$d/files/empty"
    ;;
  8)
    touch -d "$ts" "$d/files/b4096" "$d/times/ns" "$d/modes/d1777" &&
      touch -h -d "$ts" "$d/symlinks/rel"
    ;;
  9)
    if getfattr -n user.text -- "$d/xattr/with-xattrs" >/dev/null 2>&1; then
      setfattr -n user.bin -v 0x0102030405 "$d/xattr/with-xattrs" &&
        { setfattr -x user.empty "$d/xattr/with-xattrs" 2>/dev/null || true; } &&
        setfattr -n user.added -v step9 "$d/xattr/with-xattrs" || return "$(_t_err_at $LINENO)"
    fi
    ln "$d/links/a/h1" "$d/links/a/h4" && rm -f "$d/links/pair2" &&
      touch -d "$ts" "$d/links/a" "$d/links"
    ;;
  10)
    mkdir -p "$d/newdir/sub" &&
      printf 'new file from step 10\n' >"$d/newdir/a.txt" &&
      _t_prng_bytes 10000 strata-step-10 >"$d/newdir/sub/b.bin" &&
      rm -rf "$d/deep" &&
      rm -f "$d/files/replace-me" && ln -s text.txt "$d/files/replace-me" &&
      rm -f "$d/symlinks/chain" && printf 'was a symlink\n' >"$d/symlinks/chain" &&
      rmdir "$d/empty-dir" && printf 'was an empty directory\n' >"$d/empty-dir" &&
      touch -d "$ts" "$d/newdir/a.txt" "$d/newdir/sub/b.bin" "$d/symlinks/chain" "$d/empty-dir" &&
      touch -h -d "$ts" "$d/files/replace-me" &&
      touch -d "$ts" "$d/newdir/sub" "$d/newdir" "$d/files" "$d/symlinks" "$d"
    ;;
  esac
}

# ---------------------------------------------------------------------------
# Store inspection, independent of strata (layout from strata-store(5))
# ---------------------------------------------------------------------------

# snapshot_ids STORE: the ids `strata snapshots --json` lists, oldest first,
# one a line (fails if the command fails).
# backup_edits STORE SRC N SAVED: N times, writes "edit NNNN" into SRC/f (13000 bytes further each time),
# backs SRC up into STORE and saves a copy of SRC as SAVED/I (I from 0): f's versions form one delta chain.
backup_edits() {
  local store=${1:?usage: backup_edits STORE SRC N SAVED} src=${2:?} n=${3:?} saved=${4:?} i
  for ((i = 0; i < n; i++)); do
    printf 'edit %04d' "$i" | dd of="$src/f" bs=1 seek=$((i * 13000)) conv=notrunc status=none
    strata backup -s "$store" "$src" >/dev/null
    save_version "$src" "$saved/$i"
  done
}

# chain_depths STORE PATH: the chain depth of PATH in each snapshot that has it, oldest first, from
# `strata log --json` (a FULL version counts as 0).
chain_depths() {
  strata log -s "${1:?usage: chain_depths STORE PATH}" "${2:?usage: chain_depths STORE PATH}" --json |
    python3 -c 'import json, sys; print(" ".join(str(json.loads(l)["chain_depth"]) for l in sys.stdin))'
}

# flip_byte FILE OFFSET: inverts every bit of the byte at OFFSET, so that it always changes (writing a
# fixed byte leaves a file that already held it intact: one time in 256 on random data).
flip_byte() {
  local f=${1:?usage: flip_byte FILE OFFSET} at=${2:?usage: flip_byte FILE OFFSET} b
  b=$(od -An -tu1 -j "$at" -N 1 -- "$f" | tr -d ' ')
  [[ -n $b ]] || fail "flip_byte: $f has no byte at $at"
  printf "\\x$(printf %02x $((b ^ 255)))" | dd of="$f" bs=1 seek="$at" conv=notrunc status=none
}

# parts_match FILE ORIG: 4 KiB reads of FILE at 8 KiB into every 128 KiB (so in every frame of a file
# stored in 128 KiB frames, and only in part), readahead off so that each reaches a FUSE daemon as its own
# request, match ORIG at the same offsets.
parts_match() {
  python3 - "${1:?usage: parts_match FILE ORIG}" "${2:?usage: parts_match FILE ORIG}" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
want = open(sys.argv[2], "rb").read()
for off in range(8192, len(want), 131072):
    if os.pread(fd, 4096, off) != want[off:off + 4096]:
        sys.exit(f"{sys.argv[1]}: the 4 KiB at {off} differ")
PY
}

snapshot_ids() {
  local out
  out=$(strata snapshots -s "${1:?usage: snapshot_ids STORE}" --json) || fail "snapshot_ids: strata snapshots failed"
  grep -o '"id":"[0-9a-f]*"' <<<"$out" | cut -d'"' -f4 || true
}

# store_state STORE: every file of the store but its lock files, with its
# size and md5: equal before and after a command that must write nothing.
store_state() {
  local d=${1:?usage: store_state STORE}
  (cd -- "$d" && find . -path ./locks -prune -o -type f -printf '%P %s\n' | sort &&
    find . -path ./locks -prune -o -type f -exec md5sum {} + | sort) || fail "store_state: cannot read $d"
}

# summary_field NAME: a number or boolean of the "summary" JSON line in the
# last captured stdout (expect_exit).
summary_field() {
  grep '"type":"summary"' "$T_STDOUT" | sed -E "s/.*\"${1:?usage: summary_field NAME}\":([0-9a-z]+).*/\1/"
}

# restores_to STORE SNAPSHOT SAVED: SNAPSHOT of STORE restores to a tree equal (compare_trees) to SAVED.
restores_to() {
  local store=${1:?usage: restores_to STORE SNAPSHOT SAVED} id=${2:?usage: restores_to STORE SNAPSHOT SAVED}
  local saved=${3:?usage: restores_to STORE SNAPSHOT SAVED} out=$T/.restored
  rm -rf -- "$out"
  expect_exit 0 strata restore -s "$store" "$id" "$out"
  compare_trees "$saved" "$out"
  rm -rf -- "$out"
}

# restores_exactly STORE PASSWORD N [SAVED]: the store holds N snapshots, and
# snapshot i (oldest first) restores to a tree equal (compare_trees) to
# SAVEDi, a copy save_version made at that backup (default SAVED: saved/v).
restores_exactly() {
  local store=${1:?usage: restores_exactly STORE PASSWORD N [SAVED]} pw=$2 n=${3:?usage: restores_exactly STORE PASSWORD N [SAVED]}
  local saved=${4:-saved/v} i ids
  mapfile -t ids < <(STRATA_PASSWORD=$pw snapshot_ids "$store")
  assert_eq "$n" "${#ids[@]}" "snapshots in $store"
  for ((i = 0; i < n; i++)); do STRATA_PASSWORD=$pw restores_to "$store" "${ids[i]}" "$saved$i"; done
}

# pack_bytes STORE: total size of the sealed pack files (not of the
# directories holding them, whose sizes depend on the file system).
pack_bytes() {
  find "${1:?usage: pack_bytes STORE}/packs" -name '*.pack' -printf '%s\n' | awk '{s += $1} END {print s + 0}'
}

# pack_objects STORE: "PACK OBJECT_ID" for every object listed in the trailer
# of every sealed pack (footer: index offset, entry count, ...; entries of 96
# bytes, each starting with the object id).
pack_objects() {
  [[ -n $_T_PY ]] || fail "pack_objects: needs python3"
  "$_T_PY" - "${1:?usage: pack_objects STORE}" <<'PY' || fail "pack_objects: cannot read the packs of $1"
import glob, os, sys
for path in sorted(glob.glob(sys.argv[1] + "/packs/*/*.pack")):
    with open(path, "rb") as f:
        f.seek(-64, 2)
        footer = f.read(64)
        offset, count = int.from_bytes(footer[:8], "little"), int.from_bytes(footer[8:16], "little")
        f.seek(offset)
        trailer = f.read(96 * count)
    name = os.path.basename(path)
    for i in range(count):
        print(name, trailer[96 * i:96 * i + 32].hex())
PY
}

# ---------------------------------------------------------------------------
# Bulk tree: volume rather than edge cases
# ---------------------------------------------------------------------------

# make_bulk_tree DIR: a deterministic tree of about 150 MiB for crash and
# space tests: big/ holds five large pseudo-random files (8, 13, 21, 34 and
# 40 MiB), small/dNN/ 1500 small files (1-40 KiB; one in three is
# compressible text) in 30 directories.  Needs python3.
make_bulk_tree() {
  local d=${1:?usage: make_bulk_tree DIR}
  [[ ! -e $d ]] || fail "make_bulk_tree: $d already exists"
  _t_bulk 0 "$d" || fail "make_bulk_tree: building $d failed"
}

# mutate_bulk_tree DIR STEP: change a bulk tree in the ways backups meet,
# deterministically for each STEP (1, 2, ...), each step once and in order:
# scattered edits in big/f21 and big/f34 (stored as deltas), big/f13
# rewritten whole, big/new-STEP/ of twelve new 1-3 MiB files replacing
# big/new-(STEP-1)/, every tenth small file rewritten (a different tenth each
# step), a new directory small/new-STEP of 100 small files; small/d00 is
# deleted on step 1.  The tree stays below 200 MiB.
mutate_bulk_tree() {
  local d=${1:?usage: mutate_bulk_tree DIR STEP} step=${2:?usage: mutate_bulk_tree DIR STEP}
  [[ -d $d/big ]] || fail "mutate_bulk_tree: $d is not a bulk tree"
  [[ $step =~ ^[1-9][0-9]*$ ]] || fail "mutate_bulk_tree: step must be a positive number, got $step"
  _t_bulk "$step" "$d" || fail "mutate_bulk_tree: step $step on $d failed"
}

_t_bulk() {
  [[ -n $_T_PY ]] || { echo "bulk tree: needs python3" >&2; return 1; }
  "$_T_PY" - "$@" <<'PY'
import os, random, shutil, sys

step, top = int(sys.argv[1]), sys.argv[2]
MiB = 1 << 20
rng = random.Random("strata-bulk-%d" % step)

def text(n):
    line = b"line %07d of a compressible file, step %d\n"
    out = b"".join(line % (i, step) for i in range(n // 40 + 1))
    return out[:n]

def small(path):
    n = rng.randrange(1024, 40 * 1024)
    with open(path, "wb") as f:
        f.write(text(n) if rng.randrange(3) == 0 else rng.randbytes(n))

if step == 0:
    os.makedirs(top + "/big")
    for size in (8, 13, 21, 34, 40):
        with open("%s/big/f%d" % (top, size), "wb") as f:
            f.write(rng.randbytes(size * MiB))
    for i in range(1500):
        d = "%s/small/d%02d" % (top, i % 30)
        os.makedirs(d, exist_ok=True)
        small("%s/s%04d" % (d, i))
    sys.exit(0)

for name in ("f21", "f34"):
    with open(top + "/big/" + name, "r+b") as f:
        size = f.seek(0, 2)
        for _ in range(20):
            f.seek(rng.randrange(size - 8192))
            f.write(rng.randbytes(rng.randrange(1, 8192)))
with open(top + "/big/f13", "wb") as f:
    f.write(rng.randbytes(13 * MiB))
shutil.rmtree("%s/big/new-%d" % (top, step - 1), ignore_errors=True)
os.makedirs("%s/big/new-%d" % (top, step))
for i in range(12):
    with open("%s/big/new-%d/m%02d" % (top, step, i), "wb") as f:
        f.write(rng.randbytes(rng.randrange(MiB, 3 * MiB)))
for i in range(step % 10, 1500, 10):
    path = "%s/small/d%02d/s%04d" % (top, i % 30, i)
    if os.path.exists(path):
        small(path)
os.makedirs("%s/small/new-%d" % (top, step))
for i in range(100):
    small("%s/small/new-%d/s%03d" % (top, step, i))
if step == 1:
    shutil.rmtree(top + "/small/d00")
PY
}

# save_version DIR OUT: exact copy of DIR at OUT (must not exist): contents,
# holes, hardlinks, symlinks, devices, fifos, modes, owners, ns mtimes
# (symlinks and directories included), xattrs and ACLs.  Uses cp -dR with an
# explicit --preserve list, so a failure to copy an xattr is an error (with
# --preserve=all it would be silent).
save_version() {
  local src=${1:?usage: save_version DIR OUT} out=${2:?usage: save_version DIR OUT}
  [[ -d $src && ! -L $src ]] || fail "save_version: $src is not a directory"
  [[ ! -e $out && ! -L $out ]] || fail "save_version: $out already exists"
  mkdir -p -- "$(dirname -- "$out")" || fail "save_version: cannot create parent of $out"
  cp -dR --preserve=mode,ownership,timestamps,links,xattr --sparse=always --no-target-directory -- "$src" "$out" ||
    fail "save_version: cp $src -> $out failed"
}

# ---------------------------------------------------------------------------
# Tree oracle
# ---------------------------------------------------------------------------
# The oracle runs many times per test, so it keeps the number of processes it
# starts small (a process costs 10+ ms on a loaded machine) and never loops in
# bash over every entry of a tree.

# _t_scratch_open / _t_scratch_close: private temp dir in $_T_SCRATCH.  Under
# $T it is reused by the process and removed with $T; otherwise it is made
# and removed per call.
_t_scratch_open() {
  if [[ -n $T && -d $T ]]; then
    _T_SCRATCH=$T/.lib.$BASHPID
    [[ -d $_T_SCRATCH ]] || mkdir "$_T_SCRATCH" || return 1
  else
    _T_SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/strata-lib.XXXXXX") || return 1
  fi
}
_t_scratch_close() {
  [[ -n $T && $_T_SCRATCH == "$T"/.lib.* ]] || rm -rf -- "$_T_SCRATCH"
}

# meta_listing [--no-root] DIR: canonical, sorted (LC_ALL=C) listing of every
# entry below DIR (and DIR itself as ".", unless --no-root): one line per
# entry plus one line per xattr:
#   PATH<TAB>type=T mode=NNNN uid=U gid=G [size=S] mtime=YYYY-MM-DDTHH:MM:SS.NNNNNNNNNZ
#            [ target=TARGET][ rdev=MAJ:MIN][ link=LABEL]
#   PATH<TAB>xattr NAME=0xHEX
# T is find's %y letter (f d l p c b s); size only for f and l; mtime in UTC
# with nanoseconds.  PATH and TARGET are escaped like sed's `l` command in
# the C locale (\\ \n \t \ooo for other non-printable bytes), so every entry
# is one line whatever bytes its name holds.  LABEL is the smallest PATH among
# the non-directory entries below DIR that share the inode, given only when
# there are at least two of them (raw inode numbers never appear).  xattrs come
# from getfattr -d -m - -e hex, so system.posix_acl_* are included.
# Returns non-zero (and says why on stderr) on any error.
meta_listing() {
  local noroot=0
  if [[ ${1:-} == --no-root ]]; then
    noroot=1
    shift
  fi
  local dir=${1:?usage: meta_listing [--no-root] DIR}
  [[ -d $dir && ! -L $dir ]] || { echo "meta_listing: not a directory: $dir" >&2; return 2; }
  local _T_SCRATCH rc=0
  _t_scratch_open || return 2
  _t_meta_listing "$dir" "$noroot" "$_T_SCRATCH/meta" || rc=2
  _t_scratch_close
  return $rc
}

_t_meta_listing() {
  local dir=$1 noroot=$2 tmp=$3
  [[ $tmp == /* ]] || tmp=$PWD/$tmp
  local -
  set -o pipefail
  local -x LC_ALL=C
  local tab=$'\t'
  local base='type=%y mode=%04m uid=%U gid=%G' tf='mtime=%TY-%Tm-%TdT%TTZ'
  # Four NUL-terminated records per entry: path, metadata, " target=..."
  # (symlinks only), and an inode key for entries that need more work
  # (devices, hardlinks) or "-".  Device numbers go to a second file.
  local start=$dir
  [[ $start == /* ]] || start=./$start
  TZ=UTC0 find "$start" \
    \( -type l -fprintf "$tmp.rec" "%P\\0$base size=%s $tf\\0 target=%l\\0" \
    -o -type f -fprintf "$tmp.rec" "%P\\0$base size=%s $tf\\0\\0" \
    -o -fprintf "$tmp.rec" "%P\\0$base $tf\\0\\0" \) \
    \( \( -type b -o -type c -o \( ! -type d -links +1 \) \) -fprintf "$tmp.rec" '%D:%i\0' -o -fprintf "$tmp.rec" '-\0' \) \
    \( -type b -o -type c \) -exec stat -c '%d:%i %Hr:%Lr' -- {} + >"$tmp.rdev" ||
    { echo "meta_listing: find failed in $dir" >&2; return 1; }

  # xattrs, as records of the same shape: path, "xattr NAME=VALUE", "", "-".
  # getfattr escapes \n, \r and \ in paths as \ooo; decode them.  It runs
  # in DIR (cd in this shell: a subshell would cost a process).
  local oldpwd=$PWD rc=0
  CDPATH='' cd -- "$dir" || return 1
  getfattr -R -P -h -d -m - -e hex --absolute-names . >"$tmp.xattr" 2>"$tmp.xerr" || rc=$?
  CDPATH='' cd -- "$oldpwd" || return 1
  if ((rc != 0)) && grep -qv 'Operation not supported' "$tmp.xerr"; then
    echo "meta_listing: getfattr failed in $dir:" >&2
    cat "$tmp.xerr" >&2
    return 1
  fi
  local xl p="" have=0 bs=\\ bs0=\\0
  while IFS= read -r xl; do
    if [[ $xl == '# file: '* ]]; then
      p=${xl#'# file: '}
      if [[ $p == . ]]; then
        p=""
      else
        p=${p#./}
        printf -v p '%b' "${p//"$bs"/"$bs0"}"
        if [[ ! -e $dir/$p && ! -L $dir/$p ]]; then
          echo "meta_listing: cannot map getfattr path: $xl" >&2
          return 1
        fi
      fi
      have=1
    elif [[ -n $xl ]]; then
      ((have)) || { echo "meta_listing: unexpected getfattr output: $xl" >&2; return 1; }
      printf '%s\0xattr %s\0\0-\0' "$p" "$xl"
    fi
  done <"$tmp.xattr" >>"$tmp.rec"

  # One escaped line per record, four records per line.  Every field keeps
  # the "$" that sed's `l` appends; the final sed removes them.
  sed -z -n 'l 0' "$tmp.rec" | tr '\0' '\n' | paste -d '\t' - - - - | sort -t "$tab" -k4,4 -k1,1 >"$tmp.lines" ||
    { echo "meta_listing: formatting failed" >&2; return 1; }

  # Per-inode extras: rdev for devices, a canonical label for hardlinks.
  local -A rdev=()
  local key r
  while read -r key r; do rdev[$key\$]=$r; done <"$tmp.rdev"
  local path prev="" first="" count=0 extra
  {
    # No field is empty (each ends in "$"), so IFS=tab splits exactly.
    while IFS=$tab read -r path _ _ key; do
      if [[ $key != "$prev" ]]; then
        _t_meta_extra
        prev=$key first=${path%\$} count=0
      fi
      count=$((count + 1))
    done < <(grep -v "$tab-\\\$\$" "$tmp.lines")
    _t_meta_extra
  } >"$tmp.extras" || return 1

  local rootcmd="s/^$tab/.$tab/"
  ((noroot)) && rootcmd="/^$tab/d"
  join -t "$tab" -1 4 -2 1 -a 1 -e '' -o 1.1,1.2,1.3,2.2 "$tmp.lines" "$tmp.extras" |
    sed -e "s/^\\([^${tab}]*${tab}[^${tab}]* mtime=[-0-9]*T[0-9:]*\\.[0-9]\\{9\\}\\)[0-9]Z/\\1Z/" \
      -e "s/\\\$$tab/$tab/g; s/$tab//2; s/$tab//2" -e "$rootcmd" | sort ||
    { echo "meta_listing: join failed" >&2; return 1; }
}

# Helper of _t_meta_listing: print "KEY<TAB>extras" for the group in
# prev/first/count (dynamic scope).
_t_meta_extra() {
  [[ -n $prev ]] || return 0
  extra=""
  [[ -n ${rdev[$prev]+x} ]] && extra+=" rdev=${rdev[$prev]}"
  ((count > 1)) && extra+=" link=$first"
  [[ -z $extra ]] || printf '%s\t%s\n' "$prev" "$extra"
}

# _t_glob_escape VAR STRING: VAR=STRING with fnmatch metacharacters escaped.
_t_glob_escape() {
  local -n _ge_out=$1
  local s=$2 bs=\\
  s=${s//"$bs"/"$bs$bs"}
  s=${s//"*"/"$bs*"}
  s=${s//"?"/"$bs?"}
  s=${s//"["/"${bs}["}
  _ge_out=$s
}

# file_content_equal A B [A2 B2 ...]: success if each pair of regular files
# has the same size and bytes; prints the first difference of each differing
# pair on stderr.  Hole-aware (only data extents of either file are read)
# when python3 is available, else cmp(1).
file_content_equal() {
  (($# > 0 && $# % 2 == 0)) || { echo "usage: file_content_equal A B [A2 B2 ...]" >&2; return 2; }
  if [[ -z $_T_PY ]]; then
    local rc=0
    while (($#)); do
      cmp -- "$1" "$2" >&2 || { echo "Files $1 and $2 differ" >&2; rc=1; }
      shift 2
    done
    return $rc
  fi
  "$_T_PY" - "$@" <<'PYTHON'
import errno, os, sys

def data_segments(fd, size):
    out, off = [], 0
    while off < size:
        try:
            start = os.lseek(fd, off, os.SEEK_DATA)
        except OSError as e:
            if e.errno == errno.ENXIO:
                break
            raise
        end = os.lseek(fd, start, os.SEEK_HOLE)
        out.append((start, end))
        off = end
    return out

def differ(pa, pb):
    fa, fb = os.open(pa, os.O_RDONLY), os.open(pb, os.O_RDONLY)
    try:
        size = os.fstat(fa).st_size
        if os.fstat(fb).st_size != size:
            return "sizes differ (%d vs %d)" % (size, os.fstat(fb).st_size)
        try:
            segs = sorted(data_segments(fa, size) + data_segments(fb, size))
        except OSError:
            segs = [(0, size)]
        merged = []
        for s, e in segs:
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        for s, e in merged:
            off = s
            while off < e:
                n = min(1 << 20, e - off)
                x, y = os.pread(fa, n, off), os.pread(fb, n, off)
                if x != y:
                    i = next((i for i in range(min(len(x), len(y))) if x[i] != y[i]), min(len(x), len(y)))
                    return "first difference at byte %d" % (off + i)
                if len(x) < n:
                    break
                off += n
        return None
    finally:
        os.close(fa)
        os.close(fb)

rc = 0
args = sys.argv[1:]
for pa, pb in zip(args[0::2], args[1::2]):
    why = differ(pa, pb)
    if why:
        print("Files %s and %s differ (hole-aware compare): %s" % (pa, pb, why), file=sys.stderr)
        rc = 1
sys.exit(rc)
PYTHON
}

# _t_content_diff A B OUTFILE: diff -r --no-dereference A B, except that
# regular files larger than STRATA_DIFF_BIG bytes (default 64 MiB) are
# compared with file_content_equal (diff reads holes byte by byte: ~20 s for
# 5 GiB).  Pairs of special files of the same type (fifo, socket, device),
# which diff reports even when identical, are not differences (meta_listing
# compares their type, metadata and rdev).  Returns 0 if equal, 1 if
# different, 2 on trouble; differences are written to OUTFILE.
_t_content_diff() {
  local a=$1 b=$2 out=$3 big=${STRATA_DIFF_BIG:-67108864}
  local -A names=()
  local nm pat
  while IFS= read -r -d '' nm; do names[$nm]=1; done < <(find "$a" "$b" -type f -size +"${big}"c -printf '%f\0')
  local -a xopt=() nexpr=()
  for nm in "${!names[@]}"; do
    _t_glob_escape pat "$nm"
    xopt+=(-x "$pat")
    ((${#nexpr[@]})) && nexpr+=(-o)
    nexpr+=(-name "$pat")
  done
  # Entries that -x excludes (same basename as a big file): type by path.
  local -A ta=() tb=()
  local top rec
  if ((${#xopt[@]})); then
    while IFS= read -r -d '' top && IFS= read -r -d '' rec; do
      if [[ $top == "$a" ]]; then ta[${rec#? }]=${rec%% *}; else tb[${rec#? }]=${rec%% *}; fi
    done < <(find "$a" "$b" -mindepth 1 \( "${nexpr[@]}" \) -printf '%H\0%y %P\0')
    if [[ " ${ta[*]} ${tb[*]} " == *" d "* ]]; then
      xopt=() ta=() tb=() # a directory would be skipped by -x: no shortcut
    fi
  fi

  local rc=0 drc=0
  LC_ALL=C diff -r --no-dereference "${xopt[@]}" -- "$a" "$b" >"$out.raw" 2>&1 || drc=$?
  if ((drc > 1)); then
    cat "$out.raw" >"$out"
    rc=2
  elif ((drc == 1)); then
    grep -Ev '^File .+ is a (fifo|socket|character special file|block special file) while file .+ is a \1$' "$out.raw" >"$out" && rc=1
  else
    : >"$out"
  fi

  local p qp
  local -a pairs=()
  local -A all=()
  for p in "${!ta[@]}" "${!tb[@]}"; do all[$p]=1; done
  for p in "${!all[@]}"; do
    printf -v qp '%q' "$p"
    if [[ -z ${ta[$p]+x} || -z ${tb[$p]+x} ]]; then
      echo "Only in one tree: $qp" >>"$out"
      rc=$((rc > 1 ? rc : 1))
    elif [[ ${ta[$p]} != "${tb[$p]}" ]]; then
      echo "Type differs (${ta[$p]} vs ${tb[$p]}): $qp" >>"$out"
      rc=$((rc > 1 ? rc : 1))
    elif [[ ${ta[$p]} == f ]]; then
      pairs+=("$a/$p" "$b/$p")
    elif [[ ${ta[$p]} == l && $(readlink -- "$a/$p") != "$(readlink -- "$b/$p")" ]]; then
      echo "Symbolic links $a/$qp and $b/$qp differ" >>"$out"
      rc=$((rc > 1 ? rc : 1))
    fi
  done
  if ((${#pairs[@]})) && ! file_content_equal "${pairs[@]}" 2>"$out.big"; then
    cat "$out.big" >>"$out"
    rc=$((rc > 1 ? rc : 1))
  fi
  return $rc
}

# trees_equal [--no-root] A B: success if the trees are identical (content via
# diff -r --no-dereference, metadata via meta_listing); otherwise prints the
# differences on stderr and returns 1 (2 on trouble).
trees_equal() {
  local -a opt=()
  if [[ ${1:-} == --no-root ]]; then
    opt=(--no-root)
    shift
  fi
  local a=${1:?usage: trees_equal [--no-root] A B} b=${2:?usage: trees_equal [--no-root] A B}
  local _T_SCRATCH rc=0
  _t_scratch_open || return 2
  local tmp=$_T_SCRATCH/cmp
  # The two listings run in the background, concurrently with the content
  # comparison (wall time matters most on a busy machine).
  local pa pb la=0 lb=0 crc=0
  meta_listing "${opt[@]}" "$a" >"$tmp.a" 2>"$tmp.a.err" &
  pa=$!
  meta_listing "${opt[@]}" "$b" >"$tmp.b" 2>"$tmp.b.err" &
  pb=$!
  _t_content_diff "$a" "$b" "$tmp.content" || crc=$?
  wait "$pa" || la=$?
  wait "$pb" || lb=$?
  if ((la != 0 || lb != 0)); then
    cat "$tmp.a.err" "$tmp.b.err" >&2
    echo "trees_equal: meta_listing failed" >&2
    _t_scratch_close
    return 2
  fi
  if ! cmp -s "$tmp.a" "$tmp.b"; then
    diff -U1 --label "meta_listing $a" --label "meta_listing $b" "$tmp.a" "$tmp.b" >"$tmp.diff"
    _t_show "metadata differences" "$tmp.diff" 300
    rc=1
  fi
  if ((crc != 0)); then
    _t_show "content differences (diff -r --no-dereference)" "$tmp.content" 300
    ((crc > rc)) && rc=$crc
  fi
  _t_scratch_close
  return $rc
}

# compare_trees [--no-root] A B: check that the trees are identical.
compare_trees() {
  local -a opt=()
  if [[ ${1:-} == --no-root ]]; then
    opt=(--no-root)
    shift
  fi
  local a=${1:?usage: compare_trees [--no-root] A B} b=${2:?usage: compare_trees [--no-root] A B}
  if trees_equal "${opt[@]}" "$a" "$b"; then
    pass "trees identical: $a == $b"
  else
    fail "trees differ: $a vs $b"
  fi
}
