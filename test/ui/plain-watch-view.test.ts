import test from 'ava';
import { targetId } from '../../src/core/ids.ts';
import { plainView } from '../../src/ui/plain-watch-view.ts';

test('plain: one line per status; warnings to stderr; each build its own logger', (t) => {
  const out: string[] = [];
  const err: string[] = [];
  const view = plainView({ out: (l) => out.push(l), err: (l) => err.push(l) });
  view.status({ type: 'watching', files: 1, dirs: 2, last: 'ok' });
  view.status({ type: 'changed', paths: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] });
  view.status({ type: 'edit-during-build', path: 'a.txt', decision: 'abort', reason: 'a.txt is an input of a, which has not finished' });
  view.status({ type: 'edit-during-build', path: 'b.txt', decision: 'finish', reason: 'b.txt is an input of b only, already done' });
  view.status({ type: 'profile-error', diagnostic: { message: 'syntax error: x', at: { file: '/p/Targetfile.ts', line: 3, column: 5 } } });
  view.status({ type: 'watching', files: 1, dirs: 1, last: 'profile-error' });
  view.status({ type: 'warning', diagnostic: { message: 'careful' } });
  view.status({ type: 'outputs', outputs: [{ goal: 'a', paths: ['/p/out/a'] }] });
  view.status({ type: 'watch-error', message: 'ENOSPC' });
  view.status({ type: 'stopped', abortedBuild: true });
  t.deepEqual(out, [
    'watching 1 file and 2 directories (Ctrl-C to stop)',
    'changed: a, b, c, d, e and 2 more -> rebuilding',
    'changed during the build: a.txt -> build aborted: a.txt is an input of a, which has not finished',
    'changed during the build: b.txt -> letting the build finish: b.txt is an input of b only, already done',
    'profile error: /p/Targetfile.ts:3:5: syntax error: x',
    'watching 1 file and 1 directory (waiting for a fix to the profile; Ctrl-C to stop)',
    'output   a -> /p/out/a',
    'watch error: ENOSPC',
    'stopped watching (the running build was aborted)',
  ]);
  t.deepEqual(err, ['mkimage: warning: careful']);

  const first = view.build();
  t.not(view.build(), first);
  out.length = 0;
  first({ type: 'build-started', time: 0, targets: [targetId('a')], jobs: 1 });
  t.deepEqual(out, ['building 1 target with 1 job slot']);
});
