import test from 'ava';
import { parseSize } from '../../src/cache/size.ts';

test('parseSize reads plain numbers, binary suffixes and SI suffixes', (t) => {
  t.is(parseSize('1024'), 1024);
  t.is(parseSize('500M'), 500 * 2 ** 20);
  t.is(parseSize('2G'), 2 * 2 ** 30);
  t.is(parseSize('2g'), 2 * 2 ** 30);
  t.is(parseSize('10KiB'), 10 * 1024);
  t.is(parseSize('1.5GiB'), 1.5 * 2 ** 30);
  t.is(parseSize('3 TiB'), 3 * 2 ** 40);
  t.is(parseSize('1MB'), 1_000_000);
  t.is(parseSize('7B'), 7);
});

test('parseSize says undefined for what is not a size', (t) => {
  for (const bad of ['', 'M', '-1G', '1X', '1 0', '1e3', 'ten']) t.is(parseSize(bad), undefined, bad);
});
