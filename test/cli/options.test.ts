import test from 'ava';
import { formatDiagnostic } from '../../src/core/diagnostic.ts';
import type { Io } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';
import { parse } from '../../src/cli/options.ts';

/** The one line a bad command line prints, or the parsed options. */
function error(argv: string[]): string {
  const parsed = parse(argv);
  if (parsed.ok) throw new Error(`parsed: ${JSON.stringify(parsed.value)}`);
  return formatDiagnostic(parsed.error);
}

test('an unknown long option gets our message and a did-you-mean when one is close', (t) => {
  t.is(error(['--jsno']), 'unknown option --jsno (hint: did you mean --json?  mkimage --help lists the options)');
  t.is(error(['--frobnicate']), 'unknown option --frobnicate (hint: mkimage --help lists the options)');
});

test('an unknown short option suggests only the same letter in the other case', (t) => {
  t.is(error(['-b']), 'unknown option -b (hint: did you mean -B?  mkimage --help lists the options)');
  t.is(error(['-vQ']), 'unknown option -Q (hint: mkimage --help lists the options)');
});

test('a missing value, or one swallowing the next option, names the value wanted', (t) => {
  t.is(error(['--file']), 'option --file wants a value: --file PATH (hint: mkimage --help lists the options)');
  t.is(error(['-j', '--json']), 'option -j wants a value: -j N (hint: mkimage --help lists the options)');
  t.is(error(['--json=yes']), 'option --json takes no value (given "yes") (hint: --json alone turns it on)');
});

test('good command lines parse as before', (t) => {
  const parsed = parse(['-vj4', '--store=/s', 'list', '--', '-x']);
  t.true(parsed.ok);
  if (!parsed.ok) return;
  t.deepEqual(parsed.value.options, { verbose: true, jobs: '4', store: '/s' });
  t.deepEqual(parsed.value.positionals, ['list', '-x']);
  t.like(parse(['--jobs=-1']), { ok: true, value: { options: { jobs: '-1' } } });
});

test('main prints one line and exits 2 on a bad option', async (t) => {
  const err: string[] = [];
  const io: Io = { out: () => {}, err: (l) => err.push(l), env: {}, cwd: '/', cores: 1, signal: new AbortController().signal };
  t.is(await main(['-Q'], io), 2);
  t.deepEqual(err, ['mkimage: unknown option -Q (hint: mkimage --help lists the options)']);
});
