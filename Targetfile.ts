// The project's own Targetfile: what `npx mkimage` builds here. The distros of conf.d/ and
// the features of features/ (`mkimage list`), and a few plain targets that assemble a small
// root-filesystem skeleton.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { profiles, target } from 'mkimage';

export const library = profiles({ distros: 'conf.d', features: 'features' });

// A function recipe reads its values from ctx.values (a shell recipe gets them as $VALUES, in
// JSON). The values are part of the fingerprint: change one and the target runs again.
const osRelease = target({
  name: 'os-release',
  description: 'etc/os-release of the image, from plain values',
  values: { id: 'mkimage', name: 'mkimage example', version: '0.1' },
  run: async (ctx) => {
    const { id, name, version } = ctx.values as { id: string; name: string; version: string };
    await mkdir(join(ctx.out, 'etc'));
    await writeFile(join(ctx.out, 'etc/os-release'), `ID=${id}\nPRETTY_NAME="${name} ${version}"\n`);
  },
});

const motd = target({
  name: 'motd',
  description: 'etc/motd from the README title',
  files: ['README.md'],
  sh: 'mkdir -p "$OUT/etc" && head -n 1 README.md | sed "s/^# //" > "$OUT/etc/motd"',
});

export const skeleton = target({
  name: 'skeleton',
  description: 'a root-filesystem skeleton: FHS directories, modes, os-release and motd',
  deps: [osRelease, motd],
  sh: `cd "$OUT"
mkdir -p bin etc/skel home root tmp usr/bin usr/lib var/log var/tmp
chmod 0700 root && chmod 1777 tmp var/tmp
cp -a "$DEPS/os-release/etc/." etc/ && cp -a "$DEPS/motd/etc/." etc/`,
});

export default [osRelease, motd, skeleton];
