import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TargetId } from '../../src/core/ids.ts';
import { TargetLog } from '../../src/core/target-log.ts';

test('writes what the recipe printed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-log-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const log = await TargetLog.open(dir, 'a/b' as TargetId);
  log.write('one\n');
  log.write('two\n');
  await log.close();
  t.is(readFileSync(join(dir, 'a__b.log'), 'utf8'), 'one\ntwo\n');
});

test('a log whose disk is full stops short instead of crashing the build', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-log-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // Every write to /dev/full fails with ENOSPC, as on a full file system.
  symlinkSync('/dev/full', join(dir, 'full.log'));
  const log = await TargetLog.open(dir, 'full' as TargetId);
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown) => uncaught.push(e);
  process.on('uncaughtException', onUncaught);
  t.teardown(() => process.off('uncaughtException', onUncaught));
  for (let i = 0; i < 100; i++) log.write('x'.repeat(1000));
  await new Promise((resolve) => setTimeout(resolve, 50));
  log.write('after the error\n');
  await t.notThrowsAsync(log.close());
  t.deepEqual(uncaught, []);
});
