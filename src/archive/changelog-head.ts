// The newest entry's header of a debian/changelog: the source, version and distribution
// dpkg-parsechangelog would read. Read of a Debian source's changelog and of a feature's own.

import { fail, ok, type Result } from '../core/diagnostic.ts';

const HEADER = /^(\w[-+0-9a-z.]*) \(([^() \t]+)\)((?:\s+[-+0-9a-z.]+)+);/i;

/** The newest entry's source, version and distribution from a changelog text; an error naming the line when the first line is not a header. */
export function changelogHead(text: string): Result<{ source: string; version: string; distribution: string }> {
  const lines = text.split('\n');
  // Blank lines before the first entry are allowed (dpkg skips them); anything else is not.
  const i = lines.findIndex((l) => l.trim() !== '');
  if (i < 0) return fail({ message: 'debian/changelog is empty', hint: 'a source package has at least one entry' });
  const line = lines[i]!.replace(/\r$/, '');
  const m = HEADER.exec(line);
  if (!m) {
    return fail({ message: `debian/changelog:${i + 1}: not an entry's header: ${JSON.stringify(line.slice(0, 80))}`, hint: 'the first entry starts `source (version) distribution; urgency=...`' });
  }
  return ok({ source: m[1]!, version: m[2]!, distribution: m[3]!.trim().split(/\s+/).join(' ') });
}

