import test from 'ava';
import { targetId } from '../../src/core/ids.ts';
import { jsonView } from '../../src/ui/json-watch-view.ts';

test('--json: engine events as they are, statuses as {"type":"watch","event":...}', (t) => {
  const out: string[] = [];
  const view = jsonView((l) => out.push(l));
  view.build()({ type: 'queued', target: targetId('a'), time: 5 });
  view.status({ type: 'changed', paths: ['a.txt'] });
  t.deepEqual(JSON.parse(out[0]!), { type: 'queued', target: 'a', time: 5 });
  t.like(JSON.parse(out[1]!), { type: 'watch', event: 'changed', paths: ['a.txt'] });
  t.is(typeof JSON.parse(out[1]!).time, 'number');
});
