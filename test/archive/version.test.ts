import test from 'ava';
import { spawnSync } from 'node:child_process';
import { compareVersions } from '../../src/archive/version.ts';

const PAIRS: Array<[string, string]> = [
  ['1.0', '1.0'], ['1.0', '1.1'], ['1.0~rc1', '1.0'], ['1.0~rc1', '1.0~rc2'], ['1.0~~', '1.0~'], ['1:0.1', '2.0'],
  ['2.3.1-3', '2.3.1-3+deb12u1'], ['2.36.1-8+deb12u1', '2.36.1-8'], ['1.0a', '1.0'], ['1.0+b1', '1.0'], ['1.0-1', '1.0'],
  ['0.9.10', '0.9.9'], ['010', '10'], ['1.2.3', '1.2.3.0'], ['7.88.1-10+deb12u5', '7.88.1-10+deb12u12'], ['252.30-1~deb12u2', '252.30-1'],
  ['1.0-1ubuntu1', '1.0-1'], ['2:1.0', '1:9.9'], ['1.0.', '1.0'], ['a', 'B'], ['1.0-a', '1.0-+'], ['3.0.11-1~deb12u2', '3.0.11-1~deb12u1'],
];

/** dpkg's own answer: the oracle the pure function must agree with. */
function dpkg(a: string, b: string): number {
  if (spawnSync('dpkg', ['--compare-versions', a, 'lt', b]).status === 0) return -1;
  if (spawnSync('dpkg', ['--compare-versions', a, 'eq', b]).status === 0) return 0;
  return 1;
}

test('compareVersions agrees with dpkg --compare-versions, both ways round', (t) => {
  for (const [a, b] of PAIRS) {
    t.is(Math.sign(compareVersions(a, b)), dpkg(a, b), `${a} vs ${b}`);
    t.is(Math.sign(compareVersions(b, a)), dpkg(b, a), `${b} vs ${a}`);
  }
});

test('and on 300 random versions made of the characters that matter', (t) => {
  // A fixed seed: a failure can be run again.
  let seed = 42;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const chars = ['0', '1', '9', '0', 'a', 'Z', '~', '+', '.', '-'];
  const version = () => {
    let s = String(rand(3));
    for (let k = rand(6); k > 0; k--) s += chars[rand(chars.length)];
    return (rand(4) === 0 ? `${rand(3)}:` : '') + s;
  };
  for (let k = 0; k < 300; k++) {
    const a = version();
    const b = version();
    t.is(Math.sign(compareVersions(a, b)), dpkg(a, b), `${a} vs ${b}`);
  }
});
