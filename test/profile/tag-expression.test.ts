import test from 'ava';
import { matches, parseTags } from '../../src/profile/tag-expression.ts';

const eval_ = (expr: string, tags: string[]) => {
  const p = parseTags(expr);
  if (!p.ok) throw new Error(p.error.message);
  return matches(p.value, new Set(tags));
};

test('and binds tighter than or; ! and parentheses', (t) => {
  t.true(eval_('server && (network || extra)', ['server', 'extra']));
  t.false(eval_('server && (network || extra)', ['server']));
  t.true(eval_('a || b && c', ['a']));
  t.false(eval_('(a || b) && c', ['a']));
  t.true(eval_('!desktop', []));
  t.false(eval_('server && !desktop', ['server', 'desktop']));
});

test('a parse error says what and at which column', (t) => {
  const cases: Array<[string, RegExp, number]> = [
    ['server &&', /expected a tag at the end/, 10],
    ['server && (net', /expected "\)" at the end/, 15],
    ['server net', /expected "&&" or "\|\|" at "net"/, 8],
    ['server & net', /unexpected "&"/, 8],
    ['', /expected a tag/, 1],
  ];
  for (const [source, message, column] of cases) {
    const r = parseTags(source);
    t.false(r.ok, source);
    if (!r.ok) {
      t.regex(r.error.message, message, source);
      t.is(r.error.column, column, source);
    }
  }
});
