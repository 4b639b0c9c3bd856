// Boots a real image in qemu (BIOS and UEFI) and talks to it on the serial console. Under TCG
// (no usable KVM) a boot to the login prompt takes one to two minutes.
import test from 'ava';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootCheck, type BootCheckOptions } from '../../src/image/boot/boot-check.ts';
import { buildIso, bootstrappedRoot, removeTree, scratch, testIo } from './helpers/build-image.ts';
import { testConfig } from './helpers/image-config.ts';

const MINUTE = 60_000;
const config = testConfig();

let image: Promise<{ iso: string; log: string; dir: string }> | undefined;
/** One ISO for every test of this file, from the kept bootstrap (or a real one). */
function theImage(): Promise<{ iso: string; log: string; dir: string }> {
  image ??= (async () => {
    const dir = await scratch('boot');
    mkdirSync(join(dir, 'tmp'));
    const io = testIo(join(dir, 'tmp'), join(dir, 'build.log'));
    await bootstrappedRoot(config, join(dir, 'root'), io);
    const iso = await buildIso(config, join(dir, 'root'), dir, io);
    return { iso, log: join(dir, 'boot.log'), dir };
  })();
  return image;
}

test.after.always(async () => {
  if (image) await removeTree((await image).dir);
});

function options(iso: string, log: string, changes: Partial<BootCheckOptions>): BootCheckOptions {
  return {
    iso,
    uefi: false,
    timeoutS: 400,
    signal: new AbortController().signal,
    output: testIo('/tmp', log).output,
    ...changes,
  };
}

/** qemu processes of the boot check that run this ISO. */
function qemus(iso: string): string[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
        return cmd.includes('mkimage-boot-check') && cmd.includes(iso);
      } catch {
        return false;
      }
    });
}

// BIOS with a login is booted by server-mini.e2e (through `mkimage boot`), and to the login
// prompt by the wrong password below: one full boot less under TCG.
test.serial('UEFI: login prompt, root logs in, systemd running, ssh active, powered off', async (t) => {
  t.timeout(20 * MINUTE);
  const { iso, log } = await theImage();
  const r = await bootCheck(options(iso, log, { uefi: true, login: { user: 'root', password: 'live' } }));
  t.log(JSON.stringify(r));
  if (!r.ok) t.log(r.lastLines.join('\n'));
  t.true(r.ok);
  if (r.ok) {
    t.true(r.state === 'running' || r.state === 'degraded');
    t.is(r.state, 'running', `failed units: ${r.failedUnits?.join(', ')}`);
  }
  t.deepEqual(qemus(iso), []);
});

test.serial('BIOS: a wrong password is login-failed', async (t) => {
  t.timeout(20 * MINUTE);
  const { iso, log } = await theImage();
  const r = await bootCheck(options(iso, log, { login: { user: 'root', password: 'wrong' } }));
  t.like(r, { ok: false, reason: 'login-failed' });
  t.deepEqual(qemus(iso), []);
});

test.serial('too short a timeout is a timeout with the last lines, and qemu is killed', async (t) => {
  t.timeout(5 * MINUTE);
  const { iso, log } = await theImage();
  const r = await bootCheck(options(iso, log, { timeoutS: 10 }));
  t.like(r, { ok: false, reason: 'timeout' });
  if (!r.ok) t.true(r.lastLines.length > 0);
  t.deepEqual(qemus(iso), []);
});

test.serial('an abort throws its reason and kills qemu', async (t) => {
  t.timeout(5 * MINUTE);
  const { iso, log } = await theImage();
  const controller = new AbortController();
  const checking = bootCheck(options(iso, log, { signal: controller.signal }));
  const until = Date.now() + 30_000;
  while (qemus(iso).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  t.is(qemus(iso).length, 1);
  controller.abort(new Error('interrupted'));
  await t.throwsAsync(checking, { message: 'interrupted' });
  t.deepEqual(qemus(iso), []);
});
