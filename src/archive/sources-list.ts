// apt's sources (one-line `deb [opts] URL SUITE COMPONENT...` and deb822 `.sources`) as the
// suites a lock resolves against: the host's, when a profile names no mirrors.

import { parseDeb822 } from './deb822.ts';
import type { SuiteSource } from './suite-index.ts';

/** What apt trusts without a signed-by: Debian's archive keyring. */
export const DEFAULT_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

/** The binary (`deb`) suites of a sources text; `deb822` for a .sources file. */
export function parseSources(text: string, deb822: boolean): SuiteSource[] {
  return deb822 ? fromDeb822(text) : fromOneLine(text);
}

function fromOneLine(text: string): SuiteSource[] {
  const out: SuiteSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const m = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const signedBy = /(?:^|\s)signed-by=(\S+)/.exec(m[1] ?? '')?.[1];
    out.push({ url: m[2]!, suite: m[3]!, components: m[4]!.split(/\s+/).filter(Boolean), keyring: signedBy ?? DEFAULT_KEYRING });
  }
  return out;
}

function fromDeb822(text: string): SuiteSource[] {
  const out: SuiteSource[] = [];
  for (const s of parseDeb822(text)) {
    const words = (name: string) => (s.fields.get(name) ?? '').split(/\s+/).filter(Boolean);
    if (!words('types').includes('deb') || s.fields.get('enabled')?.toLowerCase() === 'no') continue;
    const signedBy = s.fields.get('signed-by');
    // An inline key block is not a path: apt's default keyring stands in (the tests sign with their own).
    const keyring = signedBy && !signedBy.includes('\n') ? signedBy : DEFAULT_KEYRING;
    for (const url of words('uris')) for (const suite of words('suites')) out.push({ url, suite, components: words('components'), keyring });
  }
  return out;
}
