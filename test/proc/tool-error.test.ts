import test from 'ava';
import { toolErrorLine } from '../../src/proc/tool-error.ts';

test("apt's first E: line is the cause, not the ones after it", (t) => {
  const stderr = ['Reading package lists...', 'E: Unable to locate package nginxx', 'E: apt-get install failed'];
  t.is(toolErrorLine(stderr, []), 'E: Unable to locate package nginxx');
});

test('other tools: their last error or fatal line; stderr before stdout; none when nothing says it', (t) => {
  t.is(toolErrorLine(['cc1: warning: x', 'gcc: error: no-such.c: No such file or directory', 'compilation terminated.'], []), 'gcc: error: no-such.c: No such file or directory');
  t.is(toolErrorLine([], ['fatal: not a git repository']), 'fatal: not a git repository');
  t.is(toolErrorLine(['E: from stderr'], ['E: from stdout']), 'E: from stderr');
  t.is(toolErrorLine(['copying', 'the error count is 0 here'], ['done']), undefined);
});
