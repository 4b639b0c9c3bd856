// SHA256SUMS of a release: every file of its content (images, manifests, lock, repository),
// sorted, in sha256sum's format; signatures and the release's own records are not content
// (a signature carries its time; records are written after, by boot checks and promotion).

import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { hashFile } from '../cache/hash-file.js';
import type { ReleaseFile } from './release-record.ts';

export const SUMS = 'SHA256SUMS';
/** Files of a release that are not its content. */
const NOT_CONTENT = /^(SHA256SUMS(\.asc)?|release\.json|boot\/.*|repo\/InRelease|repo\/Release\.gpg)$/;

export const isContent = (path: string): boolean => !NOT_CONTENT.test(path);

/** Every content file under `dir`, sorted by path, with its size and sha256. */
export async function contentFiles(dir: string, signal?: AbortSignal): Promise<ReleaseFile[]> {
  const out: ReleaseFile[] = [];
  const walk = async (at: string): Promise<void> => {
    for (const e of (await readdir(at, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(at, e.name);
      if (e.isDirectory()) await walk(path);
      else if (e.isFile()) {
        const rel = relative(dir, path);
        if (!isContent(rel)) continue;
        signal?.throwIfAborted();
        out.push({ path: rel, bytes: (await stat(path)).size, sha256: hashFile(path) });
      }
    }
  };
  await walk(dir);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export const formatSums = (files: readonly ReleaseFile[]): string => files.map((f) => `${f.sha256}  ${f.path}\n`).join('');

/** SHA256SUMS read back: path -> sha256; a line that is not one is an error naming it. */
export function parseSums(text: string): { sums: Map<string, string> } | { bad: number } {
  const sums = new Map<string, string>();
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m) return { bad: i + 1 };
    sums.set(m[2]!, m[1]!);
  }
  return { sums };
}

/** What differs between SHA256SUMS and the files of `dir`: each file named, with why. */
export async function checkSums(dir: string, text: string, signal?: AbortSignal): Promise<string[]> {
  const parsed = parseSums(text);
  if ('bad' in parsed) return [`${SUMS}:${parsed.bad} is not a sha256sum line`];
  const have = new Map((await contentFiles(dir, signal)).map((f) => [f.path, f.sha256]));
  const problems: string[] = [];
  for (const [path, sum] of parsed.sums) {
    const got = have.get(path);
    if (got === undefined) problems.push(`${path} is missing`);
    else if (got !== sum) problems.push(`${path} has sha256 ${got.slice(0, 16)}…, ${SUMS} says ${sum.slice(0, 16)}…`);
  }
  for (const path of have.keys()) if (!parsed.sums.has(path)) problems.push(`${path} is not in ${SUMS}`);
  return problems;
}
