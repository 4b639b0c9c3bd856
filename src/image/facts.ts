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
