// apt-get inside an image root, for the packages stage.

/** The packages stage's script: apt inside the root (sources as the bootstrap left them). */
export function aptInstallScript(packages: readonly string[]): string {
  return [
    '#!/bin/sh',
    'set -eu',
    'apt-get update',
    // confold: a feature's overlay comes later; a package must not ask about config files.
    `apt-get install --yes --no-install-recommends -o Dpkg::Options::=--force-confold ${packages.join(' ')}`,
    'apt-get clean',
    'rm -rf /var/lib/apt/lists/*',
    '',
  ].join('\n');
}
