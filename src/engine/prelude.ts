/**
 * Shell functions every apply script starts with (POSIX sh + coreutils only).
 * Operations call them instead of repeating the same check-then-change logic.
 *
 * __changed                      mark the current operation as changed
 * __put PATH B64 MODE OWNER GROUP
 *                                write content (base64) atomically: temp file in the same dir,
 *                                attributes set on it, then rename; untouched if identical.
 *                                The temp file is created 0600 (umask 077) and never over an
 *                                existing file (noclobber) BEFORE any content goes in, so a
 *                                secret is never readable by another user, not even mid-write
 * __attrs PATH MODE OWNER GROUP  set mode/owner/group when they differ ("-" = leave as is)
 * __mkdir PATH MODE OWNER GROUP  directory with attributes
 * __rm PATH                      remove a file/link/dir if present
 * __secret KEY PATH              send the content of a host file back to the engine, which keeps it
 *                                in the vault under KEY (see Operation.vaultOutputs): base64 on a
 *                                marker line of the script's stdout (fd 3), never in the op's log
 */
export const PRELUDE = String.raw`
__changed() { : > "$__d/c"; }
__attrs() {
  [ "$2" = - ] || [ "$(stat -c %a "$1")" = "$(printf %s "$2" | sed 's/^0*\([0-7]\)/\1/')" ] || { chmod "$2" "$1"; __changed; }
  [ "$3" = - ] || [ "$(stat -c %U "$1")" = "$3" ] || { chown "$3" "$1"; __changed; }
  [ "$4" = - ] || [ "$(stat -c %G "$1")" = "$4" ] || { chgrp "$4" "$1"; __changed; }
}
__put() {
  __p=$1; __t="$(dirname "$__p")/.bosun-tmp.$$.$(basename "$__p")"
  rm -f "$__t"
  (umask 077; set -C; printf %s "$2" | base64 -d > "$__t") || { rm -f "$__t"; return 1; }
  if [ -f "$__p" ] && [ ! -L "$__p" ] && cmp -s "$__t" "$__p"; then
    rm -f "$__t"
  else
    if [ -e "$__p" ]; then
      chmod "$(stat -c %a "$__p")" "$__t"; chown "$(stat -c %u:%g "$__p")" "$__t"
    elif [ "$3" = - ]; then
      chmod "$(printf %o $((0666 & ~$(umask))))" "$__t"  # a new file without a mode: what the umask gives, as before
    fi
    [ "$3" = - ] || chmod "$3" "$__t"
    [ "$4" = - ] || chown "$4" "$__t"
    [ "$5" = - ] || chgrp "$5" "$__t"
    sync "$__t" 2>/dev/null || true
    mv -f "$__t" "$__p"; __changed
  fi
  __attrs "$__p" "$3" "$4" "$5"
}
__mkdir() {
  if [ ! -d "$1" ]; then mkdir -p "$1"; __changed; fi
  __attrs "$1" "$2" "$3" "$4"
}
__secret() {
  [ -s "$2" ] || { echo "no value to send back for $1: $2 is missing or empty" >&2; return 1; }
  printf '%s secret %s %s\n' "$__m" "$1" "$(base64 -w0 < "$2")" >&3
}
__rm() {
  if [ -e "$1" ] || [ -L "$1" ]; then rm -rf "$1"; __changed; fi
}
`;
