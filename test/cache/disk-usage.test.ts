// gc's accounting: each inode counted once across entries, and what evicting one frees.

import test from 'ava';
import { linkSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Digest } from '../../src/core/ids.ts';
import { DiskUsage } from '../../src/cache/disk-usage.ts';

const A = 'a'.repeat(64) as Digest;
const B = 'b'.repeat(64) as Digest;

test('files two trees share are counted once and freed with the last of them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-usage-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const [a, b] = [join(dir, 'a'), join(dir, 'b')];
  mkdirSync(join(a, 'sub'), { recursive: true });
  mkdirSync(join(b, 'sub'), { recursive: true });
  writeFileSync(join(a, 'shared'), Buffer.alloc(1000));
  linkSync(join(a, 'shared'), join(b, 'shared'));
  linkSync(join(a, 'shared'), join(a, 'sub/shared-again'));
  writeFileSync(join(a, 'sub/own'), Buffer.alloc(10));
  writeFileSync(join(b, 'sub/own'), Buffer.alloc(100));

  const u = await DiskUsage.of(new Map([[A, a], [B, b]]));
  t.is(u.total, 1110);
  t.is(u.evict(A), 10, 'the shared file stays with b');
  t.is(u.total, 1100);
  t.is(u.evict(B), 1100);
  t.is(u.total, 0);
});
