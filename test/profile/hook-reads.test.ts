import test from 'ava';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setting } from '../../src/dsl/profile.ts';
import { checkHookReads } from '../../src/profile/hook-reads.ts';
import type { FeatureInfo } from '../../src/profile/library.ts';

const SETTINGS = new Map(['LDAP_DOMAIN', 'LDAP_ORGANIZATION', 'HOSTNAME'].map((name) => [name, setting({ name, type: 'string', default: '', help: '' })]));

/** A feature `ldap` with one hook of the given text, declaring `reads`. */
function ldap(t: { teardown(f: () => void): void }, script: string, reads: string[]): Map<string, FeatureInfo> {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-hook-reads-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'hooks'));
  const path = join(dir, 'hooks', '50-slapd');
  writeFileSync(path, script);
  chmodSync(path, 0o755);
  const at = { file: join(dir, 'feature.ts'), line: 3 };
  const info: FeatureInfo = { name: 'ldap', dir, description: '', mixins: [], lists: [], hooks: [{ name: '50-slapd', path, network: false, reads }], overrides: [], reads, at };
  return new Map([['ldap', info]]);
}

const SLAPD = '#!/bin/sh\nset -eu\n# reads $HOSTNAME? no: a comment\necho "suffix for ${LDAP_DOMAIN}"\necho "$LDAP_ORGANIZATION" \\$HOSTNAME\necho $HOME\n';

test('a hook that uses only what its feature reads passes; shell and escaped variables are not settings', (t) => {
  t.is(checkHookReads(ldap(t, SLAPD, ['LDAP_DOMAIN', 'LDAP_ORGANIZATION']), SETTINGS), undefined);
});

test('a hook that uses a setting its feature does not declare: the hook file and line, and the reads to write', (t) => {
  const d = checkHookReads(ldap(t, SLAPD, ['LDAP_DOMAIN']), SETTINGS);
  t.is(d?.message, 'hook 50-slapd of feature ldap reads LDAP_ORGANIZATION, which the feature does not declare');
  t.is(d?.at?.line, 5);
  t.true(d?.at?.file.endsWith('hooks/50-slapd'));
  t.is(d?.hint, "hooks get only the variables their feature reads: feature({ reads: ['LDAP_DOMAIN', 'LDAP_ORGANIZATION'] })");
});

test('reads naming no variable: the feature and a did-you-mean', (t) => {
  const d = checkHookReads(ldap(t, SLAPD, ['LDAP_DOMAIN', 'LDAP_ORGANISATION']), SETTINGS);
  t.is(d?.message, 'feature ldap says its hooks read LDAP_ORGANISATION, which is no variable');
  t.is(d?.hint, 'did you mean LDAP_ORGANIZATION?');
  t.is(d?.at?.line, 3);
});
