// A package build's progress from dpkg-buildpackage's output: the debhelper phase, then the
// build system's own counter (cmake, ninja) or the compiler lines counted.

import test from 'ava';
import { buildProgress } from '../../src/package/build-progress.ts';

const read = (lines: string[]) => {
  const p = buildProgress();
  return lines.map((l) => p.line(l));
};

test('the debhelper command running names the phase', (t) => {
  t.deepEqual(read(['   dh_auto_configure', 'checking for gcc... gcc', '   dh_auto_build', ' debian/rules binary', 'dpkg-deb: building package \'jshon\' in \'../jshon_1_amd64.deb\'.']), [
    { label: 'dh_auto_configure' },
    undefined,
    { label: 'dh_auto_build' },
    { label: 'debian/rules binary' },
    { label: 'dpkg-deb' },
  ]);
});

test('cmake and ninja give a fraction of the build', (t) => {
  const [, cmake, ninja] = read(['   dh_auto_build', '[ 45%] Building C object src/CMakeFiles/jansson.dir/dump.c.o', '[12/48] Compiling C object src/libfoo.so.p/foo.c.o']);
  t.deepEqual(cmake, { label: 'dh_auto_build: 45%', fraction: 0.45 });
  t.deepEqual(ninja, { label: 'dh_auto_build: 12/48', fraction: 0.25 });
});

test('without a counter, each compiler line counts one file, from zero in each phase', (t) => {
  const got = read([
    '   dh_auto_build',
    '  CC       dump.lo',
    'libtool: compile:  gcc -DHAVE_CONFIG_H -I. -g -O2 -c dump.c  -fPIC -DPIC -o .libs/dump.o',
    'x86_64-linux-gnu-gcc -g -O2 -Wall -c jshon.c -o jshon.o',
    'gcc -o jshon jshon.o -ljansson',
    '   dh_auto_test',
    '  CC       test_dump.o',
  ]);
  t.deepEqual(got.map((p) => p?.label), [
    'dh_auto_build',
    'dh_auto_build: 1 compiled',
    'dh_auto_build: 2 compiled',
    'dh_auto_build: 3 compiled',
    undefined,
    'dh_auto_test',
    'dh_auto_test: 1 compiled',
  ]);
  t.true(got.every((p) => p?.fraction === undefined));
});
