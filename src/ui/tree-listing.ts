// `mkimage ls` and `mkimage diff` as text: entries of a stored tree like `ls -l` draws them
// (type and mode, owner, size, path, link target), and the changes between two builds as a
// changelog (packages first, then files). Pure: data in, lines out.

import type { EntryChange } from '../cache/tree-diff.ts';
import type { TreeEntry } from '../cache/tree.ts';
import type { PackageChanges } from '../image/package-diff.ts';
import { formatBytes } from './format.ts';

const TYPE_CHAR: Record<string, string> = { file: '-', dir: 'd', symlink: 'l', char: 'c', block: 'b', fifo: 'p', socket: 's' };

/** `-rwxr-xr-x`, with setuid, setgid and sticky as ls shows them. */
export function modeString(type: string, mode: number): string {
  const bit = (b: number, c: string) => (mode & b ? c : '-');
  const x = (exec: number, special: number, set: string, unset: string) => (mode & special ? (mode & exec ? set : unset) : bit(exec, 'x'));
  return [
    TYPE_CHAR[type] ?? '?',
    bit(0o400, 'r'), bit(0o200, 'w'), x(0o100, 0o4000, 's', 'S'),
    bit(0o040, 'r'), bit(0o020, 'w'), x(0o010, 0o2000, 's', 'S'),
    bit(0o004, 'r'), bit(0o002, 'w'), x(0o001, 0o1000, 't', 'T'),
  ].join('');
}

/** Names for numeric ids, from the tree's own /etc/passwd and /etc/group. */
export interface Owners {
  user(uid: number): string;
  group(gid: number): string;
}

export const numericOwners: Owners = { user: String, group: String };

/** `/etc/passwd`-style text (name:x:id:...) as a lookup; unknown ids stay numbers. */
export function ownersFrom(passwd: string, group: string): Owners {
  const table = (text: string) => new Map(text.split('\n').map((l) => l.split(':')).filter((f) => f.length > 2).map((f) => [Number(f[2]), f[0]!] as const));
  const users = table(passwd);
  const groups = table(group);
  return { user: (id) => users.get(id) ?? String(id), group: (id) => groups.get(id) ?? String(id) };
}

export function entryLine(e: TreeEntry, owners: Owners): string {
  const size = e.type === 'file' ? String(e.size ?? 0) : e.rdev ? `${e.rdev[0]},${e.rdev[1]}` : '-';
  const path = e.path === '.' ? '/' : `/${e.path}`;
  return `${modeString(e.type, e.mode)} ${`${owners.user(e.uid)}:${owners.group(e.gid)}`.padEnd(13)} ${size.padStart(9)} ${path}${e.target !== undefined ? ` -> ${e.target}` : ''}`;
}

/** The entries at and under `path` (`/etc`, `etc/ssh`), or undefined when the tree has no such path. */
export function entriesUnder(entries: readonly TreeEntry[], path: string): TreeEntry[] | undefined {
  const want = path.replace(/^\/+|\/+$/g, '') || '.';
  if (want === '.') return [...entries];
  const under = entries.filter((e) => e.path === want || e.path.startsWith(`${want}/`));
  return under.length === 0 ? undefined : under;
}

export interface DiffReport {
  readonly a: string;
  readonly b: string;
  readonly packages: PackageChanges;
  readonly files: readonly EntryChange[];
  /** The entries of each side by path, for sizes and modes. */
  readonly before: ReadonlyMap<string, TreeEntry>;
  readonly after: ReadonlyMap<string, TreeEntry>;
}

export function diffLines(r: DiffReport): string[] {
  const p = r.packages;
  const count = (n: number, what: string) => `${n} ${what}`;
  const lines = [
    `--- ${r.a}`,
    `+++ ${r.b}`,
    `packages: ${count(p.added.length, 'added')}, ${count(p.removed.length, 'removed')}, ${count(p.changed.length, 'changed')}`,
    ...p.added.map((x) => `  + ${x.name} ${x.version}`),
    ...p.removed.map((x) => `  - ${x.name} ${x.version}`),
    ...p.changed.map((x) => `  ~ ${x.name} ${x.from} -> ${x.to}`),
  ];
  const by = (c: EntryChange['change']) => r.files.filter((f) => f.change === c).length;
  lines.push(`files: ${count(by('added'), 'added')}, ${count(by('removed'), 'removed')}, ${count(by('changed'), 'changed')}`);
  for (const f of r.files) {
    const path = `/${f.path}`;
    if (f.change === 'added') lines.push(`  + ${path}${sizeOf(r.after.get(f.path))}`);
    else if (f.change === 'removed') lines.push(`  - ${path}${sizeOf(r.before.get(f.path))}`);
    else lines.push(`  ~ ${path}: ${describeFields(r.before.get(f.path)!, r.after.get(f.path)!, f.fields ?? [])}`);
  }
  return lines;
}

const sizeOf = (e: TreeEntry | undefined) => (e?.type === 'file' ? ` (${formatBytes(e.size ?? 0)})` : e?.type === 'symlink' ? ` -> ${e.target}` : e?.type === 'dir' ? '/' : '');

function describeFields(a: TreeEntry, b: TreeEntry, fields: readonly string[]): string {
  return fields
    .map((f) => {
      switch (f) {
        case 'sha256':
          return a.size === b.size ? 'content' : `content (${formatBytes(a.size ?? 0)} -> ${formatBytes(b.size ?? 0)})`;
        case 'size':
          return undefined;
        case 'mode':
          return `mode ${modeString(a.type, a.mode)} -> ${modeString(b.type, b.mode)}`;
        case 'uid':
        case 'gid':
          return `${f} ${a[f]} -> ${b[f]}`;
        case 'target':
          return `target ${a.target} -> ${b.target}`;
        case 'type':
          return `${a.type} -> ${b.type}`;
        default:
          return f;
      }
    })
    .filter((x) => x !== undefined)
    .join(', ');
}
