import test from 'ava';
import { formatBytes, formatMs } from '../../src/ui/format.ts';

test('formatBytes: powers of 1024, one decimal under ten', (t) => {
  t.deepEqual([formatBytes(12), formatBytes(1536), formatBytes(3 * 2 ** 30), formatBytes(200 * 2 ** 20)], ['12B', '1.5KiB', '3.0GiB', '200MiB']);
});

test('formatMs: milliseconds, seconds, then minutes', (t) => {
  t.deepEqual([formatMs(999.4), formatMs(1234), formatMs(61_000), formatMs(125_000)], ['999ms', '1.23s', '1m01s', '2m05s']);
});
