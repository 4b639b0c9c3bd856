// Debian's control-file format (deb822): the stanzas of Release, Packages and Sources files.
// Fields are `Name: value`, continued on lines that start with a space or tab; stanzas are
// separated by blank lines. Names are case-insensitive: they are kept as written and looked
// up lower-cased. Each stanza remembers its first line, for errors that name file:line.

export interface Stanza {
  /** The 1-based line the stanza starts on. */
  readonly line: number;
  /** Field names lower-cased -> value (continuation lines joined with `\n`, first line trimmed). */
  readonly fields: ReadonlyMap<string, string>;
}

export function parseDeb822(text: string): Stanza[] {
  const out: Stanza[] = [];
  let fields = new Map<string, string>();
  let start = 0;
  let last: string | undefined;
  const lines = text.split('\n');
  const flush = () => {
    if (fields.size > 0) out.push({ line: start, fields });
    fields = new Map();
    last = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (raw.trim() === '') {
      flush();
      continue;
    }
    if (raw.startsWith('#')) continue;
    if (raw.startsWith(' ') || raw.startsWith('\t')) {
      // A continuation line; ` .` stands for an empty line in long descriptions.
      if (last !== undefined) fields.set(last, `${fields.get(last)}\n${raw.slice(1) === '.' ? '' : raw.slice(1)}`);
      continue;
    }
    const colon = raw.indexOf(':');
    if (colon <= 0) continue;
    if (fields.size === 0) start = i + 1;
    last = raw.slice(0, colon).toLowerCase();
    fields.set(last, raw.slice(colon + 1).trim());
  }
  flush();
  return out;
}
