// `mkimage new feature NAME`: the files of a new feature, as data (paths relative to the
// feature's folder, text, mode), each showing one part of what a feature may have: a setting
// its hook reads, a mixin that adds a package list and runs the hook, a rootfs/ file, a README.

export const FEATURE_NAME = /^[a-z][a-z0-9-]*$/;

export interface ScaffoldFile {
  readonly path: string;
  readonly text: string;
  readonly mode: number;
}

/** `web-page` -> `WEB_PAGE`: the prefix of the feature's settings. */
export const settingPrefix = (name: string) => name.toUpperCase().replaceAll('-', '_');

export function featureScaffold(name: string): ScaffoldFile[] {
  const greeting = `${settingPrefix(name)}_GREETING`;
  return [
    {
      path: 'feature.ts',
      mode: 0o644,
      text: `import { add, feature, mixin, setting } from 'mkimage';

export default feature({
  description: '${name}: say what it adds to an image',
  // The settings its hooks read: each hook gets these and no others, and a change to another
  // setting does not rerun them.
  reads: ['${greeting}'],
  settings: [
    setting({ name: '${greeting}', type: 'string', default: 'hello from ${name}', help: 'the line /etc/${name}/greeting holds' }),
  ],
  mixins: [
    // A distro gets the feature by needing use/${name}: mkimage show DISTRO tells what it did.
    mixin('use/${name}', { description: 'the ${name} files, its package list and its hook', hooks: ['50-${name}'] },
      add('LISTS', '${name}')),
  ],
});
`,
    },
    {
      path: 'README.md',
      mode: 0o644,
      text: `# ${name}

\`use/${name}\`: installs the packages of \`lists/${name}\`, copies \`rootfs/\` into the image and
runs \`hooks/50-${name}\`.

Reads: ${greeting} (the line \`/etc/${name}/greeting\` holds).
`,
    },
    {
      path: `lists/${name}`,
      mode: 0o644,
      text: `# Packages use/${name} installs, one or more per line (the packages stage: apt-get install).
# tags: ${name}
`,
    },
    {
      path: `rootfs/etc/${name}/README`,
      mode: 0o644,
      text: `Files under features/${name}/rootfs/ are copied into the image as they are: owner root,
the mode they have in the checkout. A file a package installs too belongs in the feature's
overrides (else the build warns: an upgrade of the package may put its own back).
`,
    },
    {
      path: `hooks/50-${name}`,
      mode: 0o755,
      text: `#!/bin/sh
# Runs in the image root, as root, without network (feature({ networkHooks: ['50-${name}'] })
# gives it the host's), after the overlays and before the cleanup. Hooks of every feature run
# in the order of their names.
set -eu
mkdir -p /etc/${name}
printf '%s\\n' "\$${greeting}" > /etc/${name}/greeting
`,
    },
  ];
}
