/**
 * Shell functions every apply script starts with (POSIX sh + coreutils only).
 * Operations call them instead of repeating the same check-then-change logic.
 *
 * They use shell builtins wherever one does (parameter expansion, test) and one process where
 * there were several: each process costs a host a millisecond or more of CPU, and an apply runs
 * these helpers hundreds of times per host.
 *
 * __changed                      mark the current operation as changed (its marker file is $__cf)
 * __put PATH B64 MODE OWNER GROUP
 *                                write content (base64) atomically: temp file in the same dir,
 *                                attributes set on it, then rename; untouched if identical.
 *                                The temp file is created 0600 (umask 077) and never over an
 *                                existing file (noclobber) BEFORE any content goes in, so a
 *                                secret is never readable by another user, not even mid-write
 * __attrs PATH MODE OWNER GROUP  set mode/owner/group when they differ ("-" = leave as is)
 * __chown PATH OWNER GROUP       one chown for owner and/or group ("-" = leave as is)
 * __mkdir PATH MODE OWNER GROUP  directory with attributes
 * __rm PATH                      remove a file/link/dir if present
 * __secret KEY PATH              send the content of a host file back to the engine, which keeps it
 *                                in the vault under KEY (see Operation.vaultOutputs): base64 on a
 *                                marker line of the script's stdout (fd 3), never in the op's log
 */
export const PRELUDE = `
__changed() { : > "$__cf"; }
__chown() {
  __co=; __cg=; [ "$2" = - ] || __co=$2; [ "$3" = - ] || __cg=$3
  [ -z "$__co$__cg" ] || chown "$__co\${__cg:+:$__cg}" "$1"
}
__attrs() {
  [ "$2$3$4" != --- ] || return 0
  __aa=$(stat -c '%a %U %G' "$1") || return 1
  __am=\${__aa%% *}; __aa=\${__aa#* }; __ao=\${__aa%% *}; __ag=\${__aa#* }
  if [ "$2" != - ]; then
    __aw=$2; while [ \${#__aw} -gt 1 ] && [ "\${__aw#0}" != "$__aw" ]; do __aw=\${__aw#0}; done
    [ "$__am" = "$__aw" ] || { chmod "$2" "$1"; __changed; }
  fi
  __wo=-; [ "$3" = - ] || [ "$__ao" = "$3" ] || __wo=$3
  __wg=-; [ "$4" = - ] || [ "$__ag" = "$4" ] || __wg=$4
  [ "$__wo$__wg" = -- ] || { __chown "$1" "$__wo" "$__wg"; __changed; }
}
__put() {
  __p=$1
  if [ -f "$__p" ] && [ ! -L "$__p" ] && printf %s "$2" | base64 -d | cmp -s - "$__p"; then
    __attrs "$__p" "$3" "$4" "$5"; return
  fi
  case $__p in */*) __t="\${__p%/*}/.bosun-tmp.$$.\${__p##*/}" ;; *) __t=".bosun-tmp.$$.$__p" ;; esac
  [ ! -e "$__t" ] && [ ! -L "$__t" ] || rm -f "$__t"
  (umask 077; set -C; printf %s "$2" | base64 -d > "$__t") || { rm -f "$__t"; return 1; }
  __qo=-; __qg=-
  if [ -e "$__p" ]; then
    if [ "$3" = - ] || [ "$4" = - ] || [ "$5" = - ]; then
      __aa=$(stat -c '%a %u %g' "$__p"); [ "$3" != - ] || chmod "\${__aa%% *}" "$__t"
      __aa=\${__aa#* }; __qo=\${__aa% *}; __qg=\${__aa#* }
    fi
  elif [ "$3" = - ]; then
    chmod "$(printf %o $((0666 & ~$(umask))))" "$__t"  # a new file without a mode: what the umask gives, as before
  fi
  [ "$3" = - ] || chmod "$3" "$__t"
  [ "$4" = - ] || __qo=$4
  [ "$5" = - ] || __qg=$5
  __chown "$__t" "$__qo" "$__qg"
  sync "$__t" 2>/dev/null || true
  mv -f "$__t" "$__p"; __changed
}
__mkdir() {
  if [ -d "$1" ]; then __attrs "$1" "$2" "$3" "$4"; return; fi
  if [ "$2" = - ]; then mkdir -p "$1"; else mkdir -p -m "$2" "$1"; fi
  __chown "$1" "$3" "$4"; __changed
}
__secret() {
  [ -s "$2" ] || { echo "no value to send back for $1: $2 is missing or empty" >&2; return 1; }
  printf '%s secret %s %s\\n' "$__m" "$1" "$(base64 -w0 < "$2")" >&3
}
__rm() {
  if [ -e "$1" ] || [ -L "$1" ]; then rm -rf "$1"; __changed; fi
}
`;
