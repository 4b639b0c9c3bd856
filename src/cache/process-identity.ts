// Who owns a tmp dir or a lock: a pid plus the process's start time (so a recycled pid is
// not mistaken for the owner) and the boot id (so a pid from before a reboot is not either).

import { readFileSync } from 'node:fs';

export interface ProcessIdentity {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks after boot at which the process started. */
  readonly starttime: number;
}

/** The running process, read once. */
export const self: ProcessIdentity = { pid: process.pid, starttime: startTime(process.pid) ?? 0 };

/** Identifies the current boot; stored with lock owners. */
export const bootId: string = readOr('/proc/sys/kernel/random/boot_id', '').trim();

/** True while `owner` runs (zombies count as dead: they will never release anything). */
export function isAlive(owner: ProcessIdentity, ownerBootId?: string): boolean {
  if (ownerBootId !== undefined && ownerBootId !== bootId) return false;
  const stat = readStat(owner.pid);
  if (stat === undefined) return false;
  return stat.starttime === owner.starttime && stat.state !== 'Z' && stat.state !== 'X';
}

/** `<pid>-<starttime>`: the prefix of every name the process owns in tmp/ and locks/. */
export const ownerTag = (p: ProcessIdentity): string => `${p.pid}-${p.starttime}`;

/** The owner encoded at the start of a name made with ownerTag, if any. */
export function parseOwnerTag(name: string): ProcessIdentity | undefined {
  const m = /^(\d+)-(\d+)(?:-|$)/.exec(name);
  return m === null ? undefined : { pid: Number(m[1]), starttime: Number(m[2]) };
}

function startTime(pid: number): number | undefined {
  return readStat(pid)?.starttime;
}

function readStat(pid: number): { state: string; starttime: number } | undefined {
  const text = readOr(`/proc/${pid}/stat`, undefined);
  if (text === undefined) return undefined;
  // The command name (field 2) is in parentheses and may itself contain ") ", so fields
  // are counted from the last ')'. After it come field 3 (state) ... field 22 (starttime).
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = rest[0];
  const starttime = Number(rest[19]);
  if (state === undefined || !Number.isSafeInteger(starttime)) return undefined;
  return { state, starttime };
}

function readOr<T>(path: string, fallback: T): string | T {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}
