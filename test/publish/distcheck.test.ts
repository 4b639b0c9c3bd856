// dose-distcheck's report read: broken packages with each unmet dependency and whose it is;
// and the real tool on small Packages files.

import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distcheck, parseDistcheck } from '../../src/publish/distcheck.ts';

const REPORT = `output-version: 1.2
native-architecture: amd64
report:
 -
  package: jshon
  version: 20131010-3+mkimage1+b1
  architecture: amd64
  status: broken
  reasons:
   -
    missing:
     pkg:
      package: libjansson4
      version: 2.15-1
      architecture: amd64
      unsat-dependency: libc6:amd64 (>= 2.99)
     depchains:
      -
       depchain:
        -
         package: jshon
         version: 20131010-3+mkimage1+b1
         architecture: amd64
         depends: libjansson4 (>= 2.15)
 -
  package: slapd
  version: 2.6.10+dfsg-1+mkimage1
  architecture: amd64
  status: broken
  reasons:
   -
    missing:
     pkg:
      package: slapd
      version: 2.6.10+dfsg-1+mkimage1
      architecture: amd64
      unsat-dependency: libldap2:amd64 (= 2.6.10+dfsg-1+mkimage1)
 
background-packages: 2
foreground-packages: 2
total-packages: 4
broken-packages: 2
`;

test('a report gives each broken package with the unmet dependency and whose it is', (t) => {
  t.deepEqual(parseDistcheck(REPORT), [
    { name: 'jshon', version: '20131010-3+mkimage1+b1', reasons: [{ of: 'libjansson4', unmet: 'libc6:amd64 (>= 2.99)' }] },
    { name: 'slapd', version: '2.6.10+dfsg-1+mkimage1', reasons: [{ of: 'slapd', unmet: 'libldap2:amd64 (= 2.6.10+dfsg-1+mkimage1)' }] },
  ]);
});

test('dose-distcheck on Packages files: the package whose dependency is missing is broken, the others are not', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-distcheck-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'fg'), 'Package: jshon\nVersion: 1+mkimage1\nArchitecture: amd64\nDepends: libc6 (>= 2.4), libjansson4 (>= 2.15)\n\nPackage: ok\nVersion: 1\nArchitecture: all\nDepends: libc6\n');
  writeFileSync(join(dir, 'bg'), 'Package: libc6\nVersion: 2.36-9\nArchitecture: amd64\n\nPackage: libjansson4\nVersion: 2.14-2\nArchitecture: amd64\n');
  const r = await distcheck([join(dir, 'fg')], [join(dir, 'bg')], 'amd64', new AbortController().signal);
  if (!r.ok) return t.fail(r.error.message);
  t.deepEqual(r.value, [{ name: 'jshon', version: '1+mkimage1', reasons: [{ of: 'jshon', unmet: 'libjansson4:amd64 (>= 2.15)' }] }]);
  const fine = await distcheck([join(dir, 'bg')], [], 'amd64', new AbortController().signal);
  t.deepEqual(fine.ok && fine.value, []);
});
