import test from 'ava';
import { mmdebstrapArgs } from '../../../src/image/tools/mmdebstrap.ts';
import { testConfig } from '../helpers/image-config.ts';

test('mmdebstrap: variant, components, base packages, then suite, root and sources last', (t) => {
  const args = mmdebstrapArgs(testConfig({ basePackages: ['a', 'b'] }), '/r', ['/etc/apt/sources.list.d/debian.sources']);
  t.true(args.includes('--mode=root'));
  t.true(args.includes('--variant=minbase'));
  t.true(args.includes('--components=main'));
  t.true(args.includes('--include=a,b'));
  t.true(args.includes('--dpkgopt=path-exclude=/usr/share/doc/*'));
  t.deepEqual(args.slice(-3), ['bookworm', '/r', '/etc/apt/sources.list.d/debian.sources']);
  t.false(args.some((a) => a.startsWith('--skip')));
});

test('mmdebstrap: an apt cache keeps the essential .debs and syncs the archive in and out', (t) => {
  const args = mmdebstrapArgs(testConfig(), '/r', [], '/cache');
  t.true(args.includes('--skip=essential/unlink'));
  t.true(args.includes('--setup-hook=sync-in /cache /var/cache/apt/archives/'));
  t.true(args.includes('--customize-hook=sync-out /var/cache/apt/archives /cache'));
});

test('mmdebstrap: no base packages, no --include', (t) => {
  t.false(mmdebstrapArgs(testConfig({ basePackages: [] }), '/r', []).some((a) => a.startsWith('--include')));
});

test('mmdebstrap prints apt\'s and dpkg\'s lines (progress.ts reads them)', (t) => {
  t.true(mmdebstrapArgs(testConfig(), '/r', []).includes('--verbose'));
});
