import test from 'ava';
import { HookFailed } from '../../src/image/errors.ts';

test('a failed hook names its feature, script and file; its last lines follow', (t) => {
  const e = new HookFailed('web', '20-page', 'features/web/hooks/20-page', 2, ['copying', 'cp: cannot stat']);
  t.is(e.message, 'hook web/20-page exited with 2 (features/web/hooks/20-page)\n  | copying\n  | cp: cannot stat');
  t.is(e.details.exitCode, 2);
  t.is(e.details.hint, undefined, 'no hint when the output does not say what went wrong');
});

test('the network hint only when the output shows a network error', (t) => {
  for (const line of [
    'curl: (6) Could not resolve host: example.org',
    "W: Failed to fetch http://deb.debian.org/  Temporary failure resolving 'deb.debian.org'",
    'wget: unable to resolve host address: Name or service not known',
    'connect: Network is unreachable',
  ]) {
    const e = new HookFailed('web', '30-fetch', 'features/web/hooks/30-fetch', 1, ['fetching', line]);
    t.regex(e.details.hint ?? '', /networkHooks/, line);
  }
  t.is(new HookFailed('web', '30-fetch', 'x', 1, ['resolved 3 of 4 items']).details.hint, undefined);
});

test('exit codes 126 and 127 say what is missing in the root', (t) => {
  t.regex(new HookFailed('a', 'b', 'c', 127, ['sh: 1: jq: not found']).details.hint ?? '', /not in the image/);
  t.regex(new HookFailed('a', 'b', 'c', 126, []).details.hint ?? '', /interpreter/);
  t.is(new HookFailed('a', 'b', 'c', undefined, []).message, 'hook a/b failed (c)');
});
