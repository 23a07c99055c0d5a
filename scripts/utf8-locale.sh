# Sourced by ./seemore: under an ASCII locale (LC_ALL=C, POSIX, or none set), runs java under C.UTF-8.
# Java decodes its arguments and encodes file names in the locale's character set (sun.jnu.encoding,
# fixed at start-up: -Dsun.jnu.encoding=UTF-8 is ignored on JDK 25, and -Dfile.encoding does not
# touch file names), so under ASCII a path such as ü.png cannot even be named. ASCII is a subset of
# UTF-8, so the switch loses nothing; any other charset the user chose is left alone.
seemore_utf8_locale() {
  local charmap
  charmap="$(locale charmap 2>/dev/null)" || return 0
  if [ "$charmap" = "ANSI_X3.4-1968" ] && locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
    export LC_ALL=C.UTF-8
  fi
  return 0
}
