// What a build takes from the project's git history: the commit .disk/info names, and the
// default SOURCE_DATE_EPOCH (the time of the last commit that touched the profiles, so that
// unrelated commits do not rebuild images).

import { spawnSync } from 'node:child_process';

export interface ProjectFacts {
  readonly commit: string;
  readonly sourceDateEpoch: number;
  /** Where the epoch came from, for the log. */
  readonly epochFrom: 'environment' | 'git' | 'none';
}

const git = (root: string, args: string[]): string | undefined => {
  const r = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
};

export function projectFacts(root: string, profilePaths: readonly string[], env: Readonly<Record<string, string | undefined>>): ProjectFacts {
  const commit = git(root, ['rev-parse', 'HEAD']) ?? 'unknown';
  const fromEnv = env.SOURCE_DATE_EPOCH;
  if (fromEnv !== undefined && /^\d+$/.test(fromEnv)) return { commit, sourceDateEpoch: Number(fromEnv), epochFrom: 'environment' };
  const fromGit = git(root, ['log', '-1', '--format=%ct', '--', ...profilePaths]);
  if (fromGit && /^\d+$/.test(fromGit)) return { commit, sourceDateEpoch: Number(fromGit), epochFrom: 'git' };
  return { commit, sourceDateEpoch: 0, epochFrom: 'none' };
}

/**
 * The paths under `paths` (relative to `root`) that differ from the last commit, tracked or
 * not: a manifest says an image was built from a profile with changes nobody committed.
 * Undefined when the project is not a git checkout.
 */
export function uncommittedPaths(root: string, paths: readonly string[]): string[] | undefined {
  const r = spawnSync('git', ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', ...paths], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  // `XY path` entries; a rename adds its old path as one more entry, which is not kept.
  const out: string[] = [];
  const entries = r.stdout.split('\0');
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.length < 4) continue;
    out.push(e.slice(3));
    if (e[0] === 'R' || e[0] === 'C') i++;
  }
  return out.sort();
}
