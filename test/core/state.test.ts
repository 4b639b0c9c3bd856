import test from 'ava';
import { emptyState, parseState, STATE_VERSION } from '../../src/core/state.ts';

test('a state document of this version is read as it is', (t) => {
  const doc = { version: STATE_VERSION, targets: { a: { fingerprint: 'f'.repeat(64), digest: 'd'.repeat(64), durationMs: 3 } }, stat: {} };
  t.is(parseState(doc) as unknown, doc);
});

test('an older state document, or anything else, is no previous build', (t) => {
  const v1 = { version: 1, targets: { a: { fingerprint: 'f'.repeat(64), record: { schema: 3 }, digest: 'd'.repeat(64) } }, stat: {} };
  for (const doc of [v1, undefined, null, 'x', { version: STATE_VERSION }, { version: STATE_VERSION, targets: null, stat: {} }]) {
    t.deepEqual(parseState(doc), emptyState());
  }
});
