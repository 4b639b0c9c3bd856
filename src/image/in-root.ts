// Runs a script inside an image root, isolated from the host: private mount and PID
// namespaces (nothing it mounts or starts outlives it, even when mkimage is killed), fresh
// /proc, /sys, /dev and /run, no network unless asked, and a policy-rc.d so that packages it
// installs do not start their services. What we add to the root for the run is taken out after.

import { lstat, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { RecipeFailure } from '../core/target.ts';
import { run } from '../proc/run.ts';
import { runOptions, type StepIo } from './step-io.ts';
import { HOST_PATH } from './tools/tool.ts';
import { POLICY_RC_D, UNSHARE, unshareArgs } from './tools/unshare.ts';

export interface InRootOptions {
  /** The script's text; it needs a #! line naming an interpreter of the image. */
  readonly script: string;
  readonly network: boolean;
  /** The script's environment beyond PATH, HOME, LC_ALL and DEBIAN_FRONTEND. */
  readonly env: Readonly<Record<string, string>>;
}

/** The directories a root needs before anything can run in it. */
const MOUNT_POINTS = ['proc', 'sys', 'dev', 'run', 'etc', 'usr/sbin'] as const;

export async function runInRoot(root: string, o: InRootOptions, io: StepIo): Promise<void> {
  await checkRoot(root);
  const undo = [await blockServiceStarts(root), ...(o.network ? [await resolvConfMountPoint(root)] : [])];
  try {
    const env = {
      ...o.env,
      PATH: HOST_PATH,
      HOME: '/root',
      LC_ALL: 'C.UTF-8',
      DEBIAN_FRONTEND: 'noninteractive',
      DEBCONF_NONINTERACTIVE_SEEN: 'true',
    };
    await run(UNSHARE.file, unshareArgs(root, o.network), { ...runOptions(io, env), stdin: o.script });
  } finally {
    for (const step of undo.reverse()) await step();
  }
}

async function checkRoot(root: string): Promise<void> {
  for (const dir of MOUNT_POINTS) {
    const st = await lstat(join(root, dir)).catch(() => undefined);
    if (!st?.isDirectory()) throw new RecipeFailure(`${root} is not an image root: /${dir} is missing`);
  }
}

/** Writes policy-rc.d unless the image has its own; returns how to take it out again. */
async function blockServiceStarts(root: string): Promise<() => Promise<void>> {
  const path = join(root, 'usr/sbin/policy-rc.d');
  if (await exists(path)) return async () => {};
  await writeFile(path, POLICY_RC_D);
  await chmod(path, 0o755);
  return async () => {
    // Only ours: a script may have installed a real one meanwhile.
    if ((await readFile(path, 'utf8').catch(() => '')) === POLICY_RC_D) await rm(path, { force: true });
  };
}

/**
 * A script with network needs a resolv.conf to bind the host's onto (see IN_ROOT_SETUP); an
 * empty one is made when the root has none and removed afterwards.
 */
async function resolvConfMountPoint(root: string): Promise<() => Promise<void>> {
  const path = join(root, 'etc/resolv.conf');
  if (await exists(path)) return async () => {};
  await writeFile(path, '');
  return async () => {
    const st = await lstat(path).catch(() => undefined);
    if (st?.isFile() && st.size === 0) await rm(path);
  };
}

async function exists(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined)) !== undefined;
}
