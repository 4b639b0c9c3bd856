import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requiredHostPackages } from '../../src/image/tools.ts';

test('scripts/host-deps.sh installs every package the image steps need', (t) => {
  const script = readFileSync(join(import.meta.dirname, '../../scripts/host-deps.sh'), 'utf8');
  const listed = new Set(/PACKAGES="([^"]*)"/.exec(script)?.[1]?.split(/\s+/));
  t.deepEqual(requiredHostPackages.filter((p) => !listed.has(p)), []);
});
