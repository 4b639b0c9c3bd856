// A failed tool's own words: the line of its output that says what went wrong, to head the
// failure instead of "unshare exited with 100". Debian's tools (apt, dpkg, mmdebstrap) start
// errors with `E: ` and print the cause first, the consequences after ("E: Unable to locate
// package nginxx" before "E: apt-get install failed"); other tools say error or fatal, and
// their last such line is the one that stopped them.

const DEBIAN_ERROR = /^E: \S/;
const OTHER_ERROR = /^(?:\S+: )?(?:error|fatal|fatal error)\b:?/i;

/** The line to head a failure with, from the tool's output (stderr before stdout); undefined when none says it. */
export function toolErrorLine(...streams: ReadonlyArray<readonly string[]>): string | undefined {
  for (const lines of streams) {
    const debian = lines.find((l) => DEBIAN_ERROR.test(l));
    if (debian) return debian.trim();
  }
  for (const lines of streams) {
    const other = lines.findLast((l) => OTHER_ERROR.test(l.trim()));
    if (other) return other.trim();
  }
  return undefined;
}
