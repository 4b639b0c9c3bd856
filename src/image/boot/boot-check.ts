// Boots an ISO in qemu (BIOS or UEFI) and watches its serial console: it passes when a login
// prompt appears, or, given credentials, when it can log in, systemd reaches running (or
// degraded) and ssh is active; the guest is then powered off. qemu is killed whatever happens:
// on success, timeout, failure and abort.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from '../../proc/run.ts';
import { OutputTail } from '../../core/output-tail.ts';
import { QEMU, qemuArgs } from '../tools/qemu.ts';
import { HOST_PATH } from '../tools/tool.ts';
import { chooseAccel, type Accel, type AccelChoice } from './accel.ts';
import { SerialConsole } from './serial-console.ts';

export interface BootCheckOptions {
  readonly iso: string;
  readonly uefi: boolean;
  /** For the whole check: boot, login and checks (not the power-off). */
  readonly timeoutS: number;
  readonly login?: { readonly user: string; readonly password: string };
  /** Default: chosen by accel.ts. */
  readonly accel?: Accel;
  readonly memoryMiB?: number;
  readonly signal: AbortSignal;
  /** The guest's console (stdout) and qemu's own messages (stderr), as they come. */
  readonly output: (stream: 'stdout' | 'stderr', text: string) => void;
}

export type BootResult =
  | {
      readonly ok: true;
      /** From starting qemu to the login prompt. */
      readonly ms: number;
      readonly accel: Accel;
      readonly accelReason: string;
      /** With login: systemd's state and the units that failed (degraded). */
      readonly state?: 'running' | 'degraded';
      readonly failedUnits?: readonly string[];
    }
  | {
      readonly ok: false;
      readonly reason: BootFailure;
      readonly message: string;
      readonly accel: Accel;
      /** The console's (and qemu's) last lines, oldest first. */
      readonly lastLines: readonly string[];
    };

export type BootFailure =
  /** No login prompt (or no answer to the checks) within the timeout. */
  | 'timeout'
  /** qemu stopped before the check was over (a crash, a reboot loop, a bad ISO). */
  | 'qemu-exited'
  /** The login prompt came, the credentials were refused. */
  | 'login-failed'
  /** systemd ended up neither running nor degraded (maintenance, stopping...). */
  | 'system-state'
  /** ssh.service is not active. */
  | 'ssh-inactive';

const MEMORY_MIB = 1024;
/** How long a powered-off guest may take to make qemu exit before it is killed. */
const POWEROFF_WAIT_MS = 60_000;
const TAIL_LINES = 40;

const LOGIN_PROMPT = /(?:^|\n)[^\n]*login: /;
const PASSWORD_PROMPT = /Password: /;
const LOGIN_INCORRECT = /Login incorrect/;
const SHELL_PROMPT = /[#$] $/;
/** The typed command echoes `$(...)` where the answer has words, so only the answer matches. */
const CHECK_COMMAND =
  'echo "MKIMAGE:$(systemctl is-system-running --wait):$(systemctl is-active ssh):$(systemctl list-units --failed --plain --no-legend | cut -d" " -f1 | paste -sd,):END"\r';
const CHECK_ANSWER = /MKIMAGE:([a-z-]+):([a-z-]+):([^:\s]*):END/;

class Failure extends Error {
  constructor(
    readonly reason: BootFailure,
    message: string,
  ) {
    super(message);
  }
}

export async function bootCheck(o: BootCheckOptions): Promise<BootResult> {
  if (o.signal.aborted) throw o.signal.reason;
  const choice: AccelChoice = o.accel ? { accel: o.accel, reason: 'chosen by the caller' } : await chooseAccel();
  const dir = await mkdtemp(join(tmpdir(), 'mkimage-boot-'));
  const tail = new OutputTail(TAIL_LINES);
  const output = (stream: 'stdout' | 'stderr', text: string) => {
    tail.push(text);
    o.output(stream, text);
  };
  // Aborting `stop` kills qemu's process group (run() does): the one way qemu ends early.
  const stop = new AbortController();
  const forward = () => stop.abort(o.signal.reason);
  o.signal.addEventListener('abort', forward, { once: true });
  const timer = setTimeout(() => stop.abort(new Failure('timeout', `no result within ${o.timeoutS} s`)), o.timeoutS * 1000);
  const started = Date.now();
  const exited = startQemu(o, choice.accel, dir, stop, output);
  let serial: SerialConsole | undefined;
  try {
    serial = await SerialConsole.connect(join(dir, 'console.sock'), stop.signal, (t) => output('stdout', t));
    const checked = await converse(serial, o.login, stop.signal, () => Date.now() - started);
    if (o.login) {
      serial.send('poweroff\r');
      await within(exited, POWEROFF_WAIT_MS);
    }
    return { ok: true, accel: choice.accel, accelReason: choice.reason, ...checked };
  } catch (e) {
    if (o.signal.aborted) throw o.signal.reason;
    // The console closes when qemu exits, maybe before run() has reported the exit.
    if (!(e instanceof Failure) && !stop.signal.aborted) await within(exited, 5000);
    const failure = e instanceof Failure ? e : stop.signal.reason instanceof Failure ? stop.signal.reason : new Failure('qemu-exited', String(e));
    return { ok: false, reason: failure.reason, message: failure.message, accel: choice.accel, lastLines: tail.last() };
  } finally {
    clearTimeout(timer);
    o.signal.removeEventListener('abort', forward);
    serial?.close();
    stop.abort(new Error('boot check over'));
    await exited;
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Starts qemu with its serial console on dir/console.sock; the promise settles when it is
 * gone. Its exiting on its own aborts `stop`, which is how the dialogue learns of it.
 */
function startQemu(o: BootCheckOptions, accel: Accel, dir: string, stop: AbortController, output: BootCheckOptions['output']): Promise<void> {
  const args = qemuArgs({ iso: o.iso, uefi: o.uefi, accel, serialSocket: join(dir, 'console.sock'), memoryMiB: o.memoryMiB ?? MEMORY_MIB });
  const qemu = run(QEMU.file, args, { cwd: dir, env: { PATH: HOST_PATH, HOME: dir, TMPDIR: dir }, signal: stop.signal, output });
  return qemu.then(
    () => stop.abort(new Failure('qemu-exited', 'qemu exited')),
    (e: unknown) => stop.abort(new Failure('qemu-exited', `qemu failed: ${e instanceof Error ? e.message : String(e)}`)),
  );
}

/** Waits for a promise, at most ms (without a timer left behind to hold the process). */
async function within(p: Promise<unknown>, ms: number): Promise<void> {
  const timer = new AbortController();
  await Promise.race([p, sleep(ms, undefined, { signal: timer.signal }).catch(() => {})]);
  timer.abort();
}

/** The dialogue on the console; returns what the result reports of it. */
async function converse(
  serial: SerialConsole,
  login: BootCheckOptions['login'],
  signal: AbortSignal,
  elapsed: () => number,
): Promise<{ ms: number; state?: 'running' | 'degraded'; failedUnits?: string[] }> {
  await serial.expect([LOGIN_PROMPT], signal);
  const ms = elapsed();
  if (!login) return { ms };
  serial.send(`${login.user}\r`);
  await serial.expect([PASSWORD_PROMPT], signal);
  serial.send(`${login.password}\r`);
  const { index } = await serial.expect([LOGIN_INCORRECT, SHELL_PROMPT], signal);
  if (index === 0) throw new Failure('login-failed', `login as ${login.user} was refused`);
  serial.send(CHECK_COMMAND);
  const { match } = await serial.expect([CHECK_ANSWER], signal);
  const [, state = '', ssh = '', failed = ''] = match;
  const failedUnits = failed === '' ? [] : failed.split(',');
  if (state !== 'running' && state !== 'degraded') {
    throw new Failure('system-state', `systemd is ${state}${failedUnits.length ? `; failed: ${failedUnits.join(', ')}` : ''}`);
  }
  if (ssh !== 'active') throw new Failure('ssh-inactive', `ssh.service is ${ssh}`);
  return { ms, state, failedUnits };
}
