# Sourced by ./seemore and ./run-tests: sets SEEMORE_JAVA_HOME to a JDK >= 25.
# Order: $JAVA_HOME, then `java` on PATH, then the JDKs in /usr/lib/jvm (newest first).
seemore_java_major() {
  "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1
}
seemore_find_jdk() {
  local candidates=() dir
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for dir in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do candidates+=("${dir%/}"); done
  for dir in "${candidates[@]}"; do
    if [ -x "$dir/bin/javac" ]; then
      local major
      major=$(seemore_java_major "$dir")
      if [ -n "$major" ] && [ "$major" -ge 25 ]; then
        SEEMORE_JAVA_HOME="$dir"
        return 0
      fi
    fi
  done
  echo "seemore: no JDK 25 or newer found (looked at JAVA_HOME, java on PATH and /usr/lib/jvm); install one, e.g. Temurin 25, and set JAVA_HOME to it" >&2
  return 1
}
