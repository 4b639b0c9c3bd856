// `mkimage releases [DISTRO]`: each edition's releases in the publish root, oldest first, the
// current one marked, each with what moved since the one before it; `mkimage rollback DISTRO
// --edition NAME`: the release before the current one becomes current (one rename).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Edition, publishedFolders, unknownDistro, unknownEdition } from '../publish/edition.ts';
import { diffReleases, formatReleaseDiff } from '../publish/release-diff.ts';
import type { ReleaseRecord } from '../publish/release-record.ts';
import { formatBytes } from '../ui/format.ts';
import { printDiagnostic, type ExitCode, type Io } from './io.ts';
import type { Options } from './options.ts';
import { editionName, publishRoot } from './publish-command.ts';


export async function releasesCommand(args: readonly string[], options: Options, io: Io): Promise<ExitCode> {
  const root = publishRoot(options, io, 'releases');
  if (!root) return 2;
  const distros = publishedFolders(root);
  if (args.length > 1) {
    io.err('mkimage: releases wants at most one distro');
    return 2;
  }
  const asked = args[0];
  const unknown = asked === undefined ? undefined : unknownDistro(root, asked);
  if (unknown) {
    printDiagnostic(io, unknown);
    return 2;
  }
  for (const distro of asked ? [asked] : distros) {
    for (const name of publishedFolders(join(root, distro))) {
      const edition = new Edition(root, distro, name);
      const current = await edition.current();
      io.out(`${distro} ${name}`);
      let before: ReleaseRecord | undefined;
      for (const r of edition.releases()) {
        const size = r.images.map((i) => `${i.path.replace(/^images\//, '')} ${formatBytes(i.bytes)}`).join(', ');
        const from = r.promotedFrom ? `, from ${r.promotedFrom.edition} ${r.promotedFrom.id}` : '';
        io.out(`${r.id === current ? '*' : ' '} ${r.id}  ${r.created.slice(0, 16).replace('T', ' ')}  ${size}; ${r.packages.length} packages, ${r.own.length} of ours${from}`);
        if (before) for (const line of formatReleaseDiff(diffReleases(before, r, lockOf(edition, before), lockOf(edition, r)), formatBytes)) io.out(`      ${line}`);
        before = r;
      }
    }
  }
  return 0;
}

const lockOf = (e: Edition, r: ReleaseRecord): string => {
  const file = join(e.releaseDir(r.id), 'mkimage.lock');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
};

export async function rollbackCommand(args: readonly string[], options: Options, io: Io): Promise<ExitCode> {
  const root = publishRoot(options, io, 'rollback');
  const name = editionName(options, io);
  if (!root || !name) return 2;
  if (args.length !== 1 || options.edition === undefined) {
    io.err('mkimage: rollback wants one distro and its edition (hint: mkimage rollback ldap-server --edition production)');
    return 2;
  }
  const distro = args[0]!;
  const unknown = unknownEdition(root, distro, name);
  if (unknown) {
    printDiagnostic(io, unknown);
    return 2;
  }
  const edition = new Edition(root, distro, name);
  const unlock = await edition.lock(io.signal);
  try {
    const releases = edition.releases();
    const current = await edition.current();
    const at = releases.findIndex((r) => r.id === current);
    if (at <= 0) {
      io.err(`mkimage: ${distro} ${name} has no release before ${current ?? 'its current one'} to go back to`);
      return 1;
    }
    const previous = releases[at - 1]!;
    await edition.makeCurrent(previous.id);
    io.out(`${distro} ${name}: current is ${previous.id} again (was ${current})`);
    return 0;
  } finally {
    await unlock();
  }
}
