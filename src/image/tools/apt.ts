// apt-get inside an image root, for the packages stage.

import { packageName } from '../../archive/package-name.ts';

/** The packages stage's script: apt inside the root (sources as the bootstrap left them). */
export function aptInstallScript(packages: readonly string[], built: readonly string[] = []): string {
  return [
    '#!/bin/sh',
    'set -eu',
    'apt-get update',
    // The project's builds of packages the bootstrap installed replace them (their pin wins).
    ...(built.length > 0 ? [`ours=$(dpkg-query -W -f '\${db:Status-Abbrev} \${Package}\n' ${built.join(' ')} 2>/dev/null | awk '$1 == "ii" { print $2 }')`] : []),
    // confold: a feature's overlay comes later; a package must not ask about config files.
    `apt-get install --yes --no-install-recommends -o Dpkg::Options::=--force-confold ${packages.join(' ')}${built.length > 0 ? ' $ours' : ''}`,
    'apt-get clean',
    'rm -rf /var/lib/apt/lists/*',
    '',
  ].join('\n');
}

/** Where the packages stage puts the locked repository inside the root while apt reads it. */
export const LOCKED_REPO_IN_ROOT = 'var/lib/mkimage-lock';

/**
 * The start of a script in which apt reads only the locked repository and `sources` (none of the
 * root's own: not the archive): its own source list and lists, gone with the repository; `$o`
 * holds the options that say so, and the lists are read.
 */
export function lockedAptPrelude(sources: readonly string[]): string[] {
  const dir = `/${LOCKED_REPO_IN_ROOT}`;
  return [
    '#!/bin/sh',
    'set -eu',
    `mkdir -p ${dir}/lists/partial ${dir}/parts`,
    `echo 'deb [trusted=yes] file:${dir} ./' >${dir}/sources.list`,
    ...sources.map((line) => `echo '${line}' >>${dir}/sources.list`),
    `o="-o Dir::Etc::SourceList=${dir}/sources.list -o Dir::Etc::SourceParts=${dir}/parts -o Dir::State::Lists=${dir}/lists -o Acquire::Languages=none"`,
    'apt-get $o update',
  ];
}

/**
 * The locked packages stage's script: apt reads only the repository of locked files (its own
 * source list and lists, gone with the repository), installs each locked package at its
 * version (removing `remove` in the same run: what a build replaces), and marks what the
 * profile did not ask for as automatically installed, as apt would. With the project's builds
 * (`sources`), what only the archive's versions of them needed (the Perl library of a slapd
 * built without its Perl backend) is then removed by apt's autoremove: the lock was resolved
 * against the archive's packages, not ours.
 */
export function lockedInstallScript(requested: readonly string[], locked: readonly { name: string; version: string }[], sources: readonly string[] = [], remove: readonly string[] = []): string {
  const asked = new Set(requested.map(packageName));
  const auto = [...new Set(locked.map((p) => p.name).filter((n) => !asked.has(n)))];
  return [
    ...lockedAptPrelude(sources),
    // Our builds of packages an earlier stage installed are installed by name, which marks them
    // manual: the marks they had are put back, or autoremove would judge by the wrong ones.
    ...(sources.length > 0 ? ['auto_before=$(apt-mark showauto)'] : []),
    `apt-get $o install --yes --no-install-recommends -o Dpkg::Options::=--force-confold ${[...locked.map((p) => `${p.name}=${p.version}`), ...remove.map((n) => `${n}-`)].join(' ')}`,
    // (dpkg-query without names would list every package: asked only when there were auto ones.)
    ...(sources.length > 0 ? ['still=""', `[ -z "$auto_before" ] || still=$(dpkg-query -W -f '\${db:Status-Abbrev} \${Package}\n' $auto_before 2>/dev/null | awk '$1 == "ii" { print $2 }')`, '[ -z "$still" ] || apt-mark auto $still >/dev/null'] : []),
    ...(auto.length > 0 ? [`apt-mark auto ${auto.join(' ')} >/dev/null`] : []),
    ...(sources.length > 0 ? ['apt-get $o autoremove --purge --yes'] : []),
    'apt-get clean',
    '',
  ].join('\n');
}
