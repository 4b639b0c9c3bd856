import test from 'ava';
import { rebuildPlan, unmetAfterRebuild, type BinaryFacts, type SourceFacts } from '../../src/package/dependents.ts';

const bin = (name: string, source: string, depends: string[] = [], provides?: string[]): BinaryFacts => ({ name, source, depends, ...(provides ? { provides } : {}) });
const index = (...s: SourceFacts[]) => new Map(s.map((x) => [x.name, x]));
const src = (name: string, binaries: string[], buildDepends: string[] = []): SourceFacts => ({ name, binaries, buildDepends });

test('direct: jshon needs libjansson4, so jshon follows jansson', (t) => {
  const installed = [bin('libc6', 'glibc'), bin('libjansson4', 'jansson', ['libc6']), bin('jshon', 'jshon', ['libc6', 'libjansson4'])];
  const sources = index(src('jansson', ['libjansson4', 'libjansson-dev']), src('jshon', ['jshon'], ['debhelper-compat', 'libjansson-dev']), src('glibc', ['libc6']));
  const plan = rebuildPlan(installed, sources, [{ source: 'jansson', binaries: ['libjansson4', 'libjansson-dev'] }]);
  t.deepEqual(plan.dependents, [{ source: 'jshon', because: { binary: 'jshon', needs: 'libjansson4', from: 'jansson' }, depth: 1 }]);
  t.deepEqual(plan.edges, [{ source: 'jshon', after: 'jansson', via: 'libjansson-dev' }]);
  t.deepEqual(plan.order, ['jansson', 'jshon']);
  t.deepEqual(plan.brokenCycles, []);
});

test('transitive: binaries of a dependent are rebuilt too, one generation further', (t) => {
  const installed = [bin('liblib1', 'lib'), bin('libmid1', 'mid', ['liblib1']), bin('app', 'app', ['libmid1'])];
  const sources = index(src('lib', ['liblib1', 'liblib-dev']), src('mid', ['libmid1', 'libmid-dev'], ['liblib-dev']), src('app', ['app'], ['libmid-dev']));
  const plan = rebuildPlan(installed, sources, [{ source: 'lib', binaries: ['liblib1', 'liblib-dev'] }]);
  t.deepEqual(plan.dependents, [
    { source: 'mid', because: { binary: 'libmid1', needs: 'liblib1', from: 'lib' }, depth: 1 },
    { source: 'app', because: { binary: 'app', needs: 'libmid1', from: 'mid' }, depth: 2 },
  ]);
  t.deepEqual(plan.order, ['lib', 'mid', 'app']);
});

test('a backport renaming its library: what needs the old name follows it, built against the new -dev', (t) => {
  const installed = [bin('libldap-2.5-0', 'openldap'), bin('slapd', 'openldap', ['libldap-2.5-0']), bin('libcurl4', 'curl', ['libldap-2.5-0']), bin('jq', 'jq')];
  const sources = index(src('openldap', ['libldap-2.5-0', 'libldap-dev', 'slapd']), src('curl', ['curl', 'libcurl4'], ['libldap2-dev']), src('jq', ['jq']));
  const root = { source: 'openldap', binaries: ['libldap2', 'libldap-dev', 'libldap2-dev', 'slapd'] };
  t.deepEqual(rebuildPlan(installed, sources, [root]).dependents, [], 'the new names alone: nothing needs libldap2 yet');
  const plan = rebuildPlan(installed, sources, [{ ...root, replaces: ['libldap-2.5-0', 'libldap-dev', 'slapd'] }]);
  t.deepEqual(plan.dependents, [{ source: 'curl', because: { binary: 'libcurl4', needs: 'libldap-2.5-0', from: 'openldap' }, depth: 1 }]);
  t.deepEqual(plan.edges, [{ source: 'curl', after: 'openldap', via: 'libldap2-dev' }]);
  t.deepEqual(plan.order, ['openldap', 'curl']);
});

test('diamond: d is found once, at the shortest depth, and built after both b and c', (t) => {
  const installed = [bin('liba', 'a'), bin('libc', 'c', ['liba']), bin('libb', 'b', ['liba']), bin('d', 'd', ['libb', 'libc', 'liba'])];
  const sources = index(src('a', ['liba']), src('b', ['libb'], ['liba']), src('c', ['libc'], ['liba']), src('d', ['d'], ['libc', 'libb']));
  const plan = rebuildPlan(installed, sources, [{ source: 'a', binaries: ['liba'] }]);
  t.deepEqual(
    plan.dependents.map((d) => [d.source, d.depth, d.because.needs]),
    [['b', 1, 'liba'], ['c', 1, 'liba'], ['d', 1, 'liba']],
  );
  // Without d's own dependency on liba it is a second-generation dependent.
  const viaBc = rebuildPlan(installed.map((b) => (b.name === 'd' ? bin('d', 'd', ['libc', 'libb']) : b)), sources, [{ source: 'a', binaries: ['liba'] }]);
  t.deepEqual(viaBc.dependents.map((d) => [d.source, d.depth, d.because.needs, d.because.from]), [['b', 1, 'liba', 'a'], ['c', 1, 'liba', 'a'], ['d', 2, 'libc', 'c']]);
  t.deepEqual(viaBc.order, ['a', 'b', 'c', 'd']);
  t.deepEqual(viaBc.edges, [
    { source: 'b', after: 'a', via: 'liba' },
    { source: 'c', after: 'a', via: 'liba' },
    { source: 'd', after: 'b', via: 'libb' },
    { source: 'd', after: 'c', via: 'libc' },
  ]);
});

test('a build cycle (openldap <-> cyrus-sasl2) is broken on the edge back toward the dependent, and reported', (t) => {
  const installed = [
    bin('libldap-2.5-0', 'openldap', ['libsasl2-2']),
    bin('libsasl2-2', 'cyrus-sasl2'),
    bin('libsasl2-modules-gssapi-mit', 'cyrus-sasl2', ['libldap-2.5-0', 'libsasl2-2']),
  ];
  const sources = index(
    src('openldap', ['libldap-2.5-0', 'libldap-dev', 'slapd'], ['libsasl2-dev', 'libssl-dev']),
    src('cyrus-sasl2', ['libsasl2-2', 'libsasl2-dev', 'libsasl2-modules-gssapi-mit'], ['libldap-dev', 'libkrb5-dev']),
  );
  const plan = rebuildPlan(installed, sources, [{ source: 'openldap', binaries: ['libldap-2.5-0', 'libldap-dev', 'slapd'] }]);
  t.deepEqual(plan.dependents, [{ source: 'cyrus-sasl2', because: { binary: 'libsasl2-modules-gssapi-mit', needs: 'libldap-2.5-0', from: 'openldap' }, depth: 1 }]);
  t.deepEqual(plan.edges, [{ source: 'cyrus-sasl2', after: 'openldap', via: 'libldap-dev' }]);
  t.deepEqual(plan.brokenCycles, [{ source: 'openldap', after: 'cyrus-sasl2', via: 'libsasl2-dev' }]);
  t.deepEqual(plan.order, ['openldap', 'cyrus-sasl2']);
});

test('a root may build-depend on another root; a cycle among dependents drops the edge toward the later-discovered one', (t) => {
  const installed = [bin('libr', 'r'), bin('libq', 'q'), bin('libx', 'x', ['libr']), bin('liby', 'y', ['libr'])];
  const sources = index(src('x', ['libx'], ['liby', 'libq']), src('y', ['liby'], ['libx']));
  const plan = rebuildPlan(installed, sources, [
    { source: 'r', binaries: ['libr'], buildDepends: ['libq'] },
    { source: 'q', binaries: ['libq'] },
  ]);
  t.deepEqual(plan.dependents.map((d) => d.source), ['x', 'y']);
  t.deepEqual(plan.edges, [
    { source: 'r', after: 'q', via: 'libq' },
    { source: 'x', after: 'q', via: 'libq' },
    { source: 'y', after: 'x', via: 'libx' },
  ]);
  // x and y are discovered in that order: y built against x is kept, x against y closes the cycle.
  t.deepEqual(plan.brokenCycles, [{ source: 'x', after: 'y', via: 'liby' }]);
  t.deepEqual(plan.order, ['q', 'r', 'x', 'y']);
});

test('a dependency on a virtual name counts when a rebuilt binary provides it', (t) => {
  const installed = [bin('libfoo2', 'foo', [], ['libfoo-abi-2']), bin('plugin', 'plugin', ['libfoo-abi-2']), bin('tool', 'tool', ['libbar-api'])];
  const sources = index(src('plugin', ['plugin']), src('tool', ['tool']));
  const provided = new Map([['libbar1', ['libbar-api']]]);
  const plan = rebuildPlan(installed, sources, [{ source: 'foo', binaries: ['libfoo2'] }, { source: 'bar', binaries: ['libbar1'] }], provided);
  t.deepEqual(plan.dependents, [
    { source: 'plugin', because: { binary: 'plugin', needs: 'libfoo-abi-2', from: 'foo', provider: 'libfoo2' }, depth: 1 },
    { source: 'tool', because: { binary: 'tool', needs: 'libbar-api', from: 'bar', provider: 'libbar1' }, depth: 1 },
  ]);
});

test('a source whose binaries are not in the image closure is not pulled in, even when it build-depends on a root', (t) => {
  const installed = [bin('libjansson4', 'jansson'), bin('jshon', 'jshon', ['libjansson4'])];
  const sources = index(
    src('jshon', ['jshon'], ['libjansson-dev']),
    src('ulogd2', ['ulogd2-json'], ['libjansson-dev']),
    src('janus', ['janus'], ['libjansson-dev']),
  );
  const plan = rebuildPlan(installed, sources, [{ source: 'jansson', binaries: ['libjansson4', 'libjansson-dev'] }]);
  t.deepEqual(plan.dependents.map((d) => d.source), ['jshon']);
  t.deepEqual(plan.order, ['jansson', 'jshon']);
});

test('a dependent missing from the Sources index rebuilds its installed binaries', (t) => {
  const installed = [bin('liblib1', 'lib'), bin('libmid1', 'mid', ['liblib1']), bin('app', 'app', ['libmid1'])];
  const plan = rebuildPlan(installed, new Map(), [{ source: 'lib', binaries: ['liblib1'] }]);
  t.deepEqual(plan.dependents.map((d) => [d.source, d.depth]), [['mid', 1], ['app', 2]]);
});

test('a source build-depending on its own binary gets no edge and no broken cycle', (t) => {
  const installed = [bin('libgcc-s1', 'gcc'), bin('cpp', 'cpp', ['libgcc-s1'])];
  const sources = index(src('gcc', ['libgcc-s1', 'gcc'], ['gcc', 'libgcc-s1']), src('cpp', ['cpp'], ['cpp', 'gcc']));
  const plan = rebuildPlan(installed, sources, [{ source: 'gcc', binaries: ['libgcc-s1', 'gcc'] }]);
  t.deepEqual(plan.edges, [{ source: 'cpp', after: 'gcc', via: 'gcc' }]);
  t.deepEqual(plan.brokenCycles, []);
  t.deepEqual(plan.order, ['gcc', 'cpp']);
});

test('unmet after a soname change: libldap-2.5-0 becomes libldap2', (t) => {
  const installed = [
    bin('libldap-2.5-0', 'openldap'),
    bin('libcurl4', 'curl', ['libldap-2.5-0', 'libssl3']),
    bin('libssl3', 'openssl'),
    bin('ldap-utils', 'openldap', ['libldap-2.5-0']),
    bin('slapd', 'openldap', ['libldap-2.5-0', 'libssl3']),
  ];
  const before = [{ source: 'openldap', binaries: ['libldap-2.5-0', 'libldap-dev', 'ldap-utils', 'slapd'] }];
  // The patched source no longer builds the server: the archive's slapd stays, with its old deps.
  const after = [{ source: 'openldap', binaries: ['libldap2', 'libldap-dev', 'ldap-utils'] }];
  t.deepEqual(unmetAfterRebuild(installed, before, after), [
    { binary: 'libcurl4', needs: 'libldap-2.5-0', source: 'openldap' },
    { binary: 'slapd', needs: 'libldap-2.5-0', source: 'openldap' },
  ]);
  // A new binary that provides the old name keeps it met.
  t.deepEqual(unmetAfterRebuild(installed, before, after, new Map([['libldap2', ['libldap-2.5-0']]])), []);
});
