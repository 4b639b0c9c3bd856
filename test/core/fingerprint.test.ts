import test from 'ava';
import { explainChange, hashRecord, parseRecordJson, recordJson, type FingerprintRecord } from '../../src/core/fingerprint.ts';
import { canonicalJson } from '../../src/core/canonical.ts';
import { digest } from '../../src/core/ids.ts';

const base: FingerprintRecord = {
  schema: 1,
  recipe: { kind: 'sh', parts: [['script', 'aa']], version: '' },
  values: [['a', '1']],
  env: [],
  files: [['x.txt', 'aa']],
  trees: [['rootfs', 'cc']],
  deps: [],
  tools: [['gcc', '12']],
};

test('canonical JSON sorts keys at every depth and drops undefined', (t) => {
  t.is(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
});

test('equal records hash equal; any field changes the hash', (t) => {
  t.is(hashRecord(base), hashRecord({ ...base }));
  t.not(hashRecord(base), hashRecord({ ...base, recipe: { ...base.recipe, version: '2' } }));
  t.not(hashRecord(base), hashRecord({ ...base, files: [['x.txt', 'bb']] }));
  t.not(hashRecord(base), hashRecord({ ...base, tools: [['gcc', '13']] }));
  t.not(hashRecord(base), hashRecord({ ...base, trees: [['rootfs', 'dd']] }));
  t.not(hashRecord(base), hashRecord({ ...base, recipe: { ...base.recipe, parts: [['script', 'bb']] } }));
});

test('recordJson is the canonical JSON of the record, and parses back', (t) => {
  const odd: FingerprintRecord = {
    ...base,
    values: [['a', '{"x":[1,"\\u00e9"]}'], ['b', 'null']],
    env: [['HOME', null], ['LANG', 'C.UTF-8 "quoted"\n']],
    deps: [['lib', digest('ab'.repeat(32))]],
  };
  for (const r of [base, odd]) {
    t.is(recordJson(r), canonicalJson(r));
    t.deepEqual(parseRecordJson(recordJson(r)), r);
  }
  t.is(parseRecordJson('{"schema":3}'), undefined);
  t.is(parseRecordJson('not json'), undefined);
  t.is(parseRecordJson(undefined), undefined);
});

test('explainChange names each changed field', (t) => {
  t.deepEqual(explainChange(base, base), []);
  t.deepEqual(
    explainChange(base, {
      ...base,
      values: [['a', '2'], ['b', 'true']],
      files: [],
      deps: [['lib', 'f'.repeat(64) as never]],
      tools: [['gcc', '13']],
    }),
    ['value a: 1 -> 2', 'value b added', 'file x.txt removed', 'prerequisite lib added', 'tool gcc: 12 -> 13'],
  );
  t.deepEqual(explainChange(base, { ...base, trees: [['rootfs', 'dd']] }), ['tree rootfs changed']);
});

test('explainChange names the part of the recipe that changed, and says when the schema did', (t) => {
  const stage: FingerprintRecord = {
    ...base,
    recipe: { kind: 'image-stage', parts: [['code src/image/stages/squashfs.ts', 'a1'], ['code src/image/tools/mksquashfs.ts', 'b1'], ['runs mksquashfs', 'c1']], version: '' },
  };
  const flag: FingerprintRecord = {
    ...stage,
    recipe: { ...stage.recipe, parts: [['code src/image/stages/squashfs.ts', 'a1'], ['code src/image/tools/mksquashfs.ts', 'b2'], ['runs mksquashfs', 'c2']] },
  };
  t.deepEqual(explainChange(stage, flag), ['recipe: code src/image/tools/mksquashfs.ts changed', 'recipe: runs mksquashfs changed']);
  t.deepEqual(explainChange(base, { ...base, recipe: { kind: 'fn', parts: [['function', 'aa']], version: '' } }), ['recipe kind sh -> fn']);
  t.deepEqual(explainChange(base, { ...base, schema: 2, values: [] }), ['fingerprint schema 1 -> 2 (a new mkimage)']);
});

test('explainChange names what changed inside a value: the variable, lines of a list, the part of a long string', (t) => {
  const env = (e: Record<string, string>) => ({ ...base, values: [['hookEnv', JSON.stringify(e)] as const] });
  const before = env({ BASE_LISTS: 'base\nserver', HOSTNAME: 'web', LOCALE: 'C.UTF-8' });
  t.deepEqual(explainChange(before, env({ BASE_LISTS: 'base\nserver', HOSTNAME: 'www', LOCALE: 'C.UTF-8' })), ['value hookEnv: HOSTNAME: "web" -> "www"']);
  t.deepEqual(explainChange(before, env({ BASE_LISTS: 'base\nrescue', LOCALE: 'C.UTF-8', TZ: 'UTC' })), [
    'value hookEnv: BASE_LISTS: + "rescue", - "server"',
    'value hookEnv: HOSTNAME removed (was "web")',
    'value hookEnv: TZ added: "UTC"',
  ]);
  const long = (tail: string) => ({ ...base, values: [['script', JSON.stringify(`${'x'.repeat(100)}${tail}${'y'.repeat(100)}`)] as const] });
  t.deepEqual(explainChange(long('old'), long('new')), [`value script: "...${'x'.repeat(20)}oldyyyyyyyyyyyyyyyyy..." -> "...${'x'.repeat(20)}newyyyyyyyyyyyyyyyyy..."`]);
  const hooks = (reads: string[]) => ({ ...base, values: [['hooks', JSON.stringify([{ feature: 'ldap', reads }, { feature: 'ssh', reads: [] }])] as const] });
  t.deepEqual(explainChange(hooks(['LDAP_DOMAIN']), hooks(['LDAP_DOMAIN', 'LDAP_ORGANIZATION'])), ['value hooks: [0].reads: + "LDAP_ORGANIZATION"']);
  t.deepEqual(explainChange({ ...base, values: [['a', '1']] }, { ...base, values: [['a', '2']] }), ['value a: 1 -> 2']);
});
