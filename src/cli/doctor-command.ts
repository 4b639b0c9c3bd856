// `mkimage doctor [TARGET...]`: which Debian packages the host lacks to build (and boot) the
// requested images; prints an apt-get line to install them. Exit 1 when some are missing.

import { spawnSync } from 'node:child_process';
import { requiredHostPackages } from '../image/tools/host-packages.ts';
import type { ExitCode, Io } from './io.ts';
import type { Options } from './options.ts';

export async function doctorCommand(_args: readonly string[], options: Options, io: Io): Promise<ExitCode> {
  const status = spawnSync('dpkg-query', ['-W', '-f', '${Package}\t${db:Status-Status}\n', ...requiredHostPackages], { encoding: 'utf8' });
  const installed = new Set(
    status.stdout
      .split('\n')
      .map((l) => l.split('\t'))
      .filter(([, s]) => s === 'installed')
      .map(([p]) => p),
  );
  const missing = requiredHostPackages.filter((p) => !installed.has(p));
  if (options.json) {
    io.out(JSON.stringify({ required: requiredHostPackages, missing }));
  } else {
    for (const p of requiredHostPackages) io.out(`${installed.has(p) ? 'ok     ' : 'MISSING'}  ${p}`);
    if (missing.length > 0) io.out(`\napt-get install --no-install-recommends ${missing.join(' ')}`);
  }
  return missing.length === 0 ? 0 : 1;
}
