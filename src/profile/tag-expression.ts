// Boolean expressions over package-list tags, as mkimage-profiles selects lists:
// `server && (network || extra) && !desktop`. A small recursive-descent parser; a parse
// error says which column.

import { fail, ok, type Result } from '../core/diagnostic.ts';

export type TagExpr =
  | { readonly op: 'tag'; readonly name: string }
  | { readonly op: 'not'; readonly arg: TagExpr }
  | { readonly op: 'and' | 'or'; readonly left: TagExpr; readonly right: TagExpr };

const TOKEN = /\s*(?:(&&|\|\||!|\(|\))|([A-Za-z0-9_][A-Za-z0-9_.+-]*))/y;

export function parseTags(source: string): Result<TagExpr, { message: string; column: number }> {
  const tokens: Array<{ text: string; column: number }> = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(source);
    if (!m) {
      if (/^\s*$/.test(source.slice(start))) break;
      const column = start + (source.slice(start).length - source.slice(start).trimStart().length) + 1;
      return fail({ message: `unexpected ${JSON.stringify(source.slice(column - 1, column))}`, column });
    }
    tokens.push({ text: m[1] ?? m[2]!, column: m.index + m[0].length - (m[1] ?? m[2]!).length + 1 });
  }
  let i = 0;
  const peek = () => tokens[i]?.text;
  const error = (what: string) =>
    fail({ message: `${what} ${tokens[i] ? `at ${JSON.stringify(tokens[i]!.text)}` : 'at the end'}`, column: tokens[i]?.column ?? source.length + 1 });

  type P = Result<TagExpr, { message: string; column: number }>;
  const primary = (): P => {
    const t = peek();
    if (t === '!') {
      i++;
      const arg = primary();
      return arg.ok ? ok({ op: 'not', arg: arg.value }) : arg;
    }
    if (t === '(') {
      i++;
      const inner = or();
      if (!inner.ok) return inner;
      if (peek() !== ')') return error('expected ")"');
      i++;
      return inner;
    }
    if (t === undefined || t === ')' || t === '&&' || t === '||') return error('expected a tag');
    i++;
    return ok({ op: 'tag', name: t });
  };
  const binary = (opText: string, op: 'and' | 'or', next: () => P) => (): P => {
    let left = next();
    while (left.ok && peek() === opText) {
      i++;
      const right = next();
      if (!right.ok) return right;
      left = ok({ op, left: left.value, right: right.value });
    }
    return left;
  };
  const and = binary('&&', 'and', primary);
  const or = binary('||', 'or', and);
  const expr = or();
  if (expr.ok && i < tokens.length) return error('expected "&&" or "||"');
  return expr;
}

export function matches(expr: TagExpr, tags: ReadonlySet<string>): boolean {
  switch (expr.op) {
    case 'tag':
      return tags.has(expr.name);
    case 'not':
      return !matches(expr.arg, tags);
    case 'and':
      return matches(expr.left, tags) && matches(expr.right, tags);
    case 'or':
      return matches(expr.left, tags) || matches(expr.right, tags);
  }
}
