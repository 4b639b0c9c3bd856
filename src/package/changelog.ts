// debian/changelog as a package build changes it: our entry written in the exact format
// dpkg-parsechangelog reads (the version of every binary comes from it), the newest entry's
// header read back, and the versions we give our builds. Pure: text in, text out.

export { changelogHead } from '../archive/changelog-head.ts';

export interface ChangelogEntry {
  readonly source: string;
  readonly version: string;
  readonly distribution: string;
  /** Default `medium`. */
  readonly urgency?: string;
  /** One bullet each; a change with several lines continues them under its bullet. */
  readonly changes: readonly string[];
  /** `Name <mail>`; default `mkimage <mkimage@localhost>`. */
  readonly maintainer?: string;
  /** Seconds since the epoch: a fixed date (not now) keeps two builds of the same source identical. */
  readonly date: number;
}

export const DEFAULT_MAINTAINER = 'mkimage <mkimage@localhost>';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const two = (n: number) => String(n).padStart(2, '0');

/** RFC 2822 in UTC (`Thu, 01 Jan 1970 00:00:00 +0000`): what Debian's changelogs carry (toUTCString would write `GMT`, not the numeric zone). */
function rfc2822(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** One entry in Debian's exact format (dpkg-parsechangelog must read it): `src (ver) dist; urgency=medium`, blank, `  * change` lines, blank, ` -- Name <mail>  Thu, 01 Jan 1970 00:00:00 +0000`, with the date in UTC, RFC 2822, deterministic. */
export function changelogEntry(e: ChangelogEntry): string {
  if (!Number.isSafeInteger(e.date) || e.date < 0) throw new RangeError(`changelog date ${e.date} is not whole seconds since the epoch`);
  // An entry without change lines is one dpkg-parsechangelog warns about: say at least why it exists.
  const changes = e.changes.length > 0 ? e.changes : ['Rebuilt by mkimage.'];
  const bullets = changes.map((c) => `  * ${c.trim().split('\n').map((l) => l.trim()).join('\n    ')}`);
  return [
    `${e.source} (${e.version}) ${e.distribution}; urgency=${e.urgency ?? 'medium'}`,
    '',
    ...bullets,
    '',
    // Two spaces between the maintainer and the date: the format's, not a typo.
    ` -- ${e.maintainer ?? DEFAULT_MAINTAINER}  ${rfc2822(e.date)}`,
    '',
  ].join('\n');
}

/** The entry put above an existing debian/changelog text (one blank line between). */
export function prependEntry(existing: string, entry: string): string {
  const top = `${entry.replace(/\n+$/, '')}\n`;
  const rest = existing.replace(/^\s*\n/, '');
  return rest === '' ? top : `${top}\n${rest}`;
}

/** dpkg's header: `source (version) dist [dist...]; key=value, ...`. */
/** `2.14-2` + `+mkimage1` -> `2.14-2+mkimage1`: above Debian's own build of the same version, so apt prefers ours. */
export function suffixedVersion(version: string, suffix: string): string {
  return `${version}${suffix}`;
}

/**
 * Another upstream version with Debian's packaging: `upstreamVersion('1:2.14-2', '2.14.1', '+mkimage1')`
 * -> `1:2.14.1-0+mkimage1` (the archive's epoch kept; revision 0, below any Debian upload of it).
 */
export function upstreamVersion(archive: string, upstream: string, suffix: string): string {
  const epoch = /^(\d+):/.exec(archive)?.[1];
  return `${epoch ? `${epoch}:` : ''}${upstream}-0${suffix}`;
}

/** A binNMU-style rebuild of a dependent: `binNmuVersion('20131105-1', '+mkimage1', 1)` -> `20131105-1+mkimage1+b1`. */
export function binNmuVersion(version: string, suffix: string, n: number): string {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`binNMU number ${n} is not a positive integer`);
  return `${suffixedVersion(version, suffix)}+b${n}`;
}
