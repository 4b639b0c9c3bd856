// `mkimage promote DISTRO --from testing --to production [--release ID] [--dry-run]`: the
// gates, each with what it found; then the exact release linked into the target edition and
// made current, or the refusal naming every gate that failed.

import { Edition, unknownEdition } from '../publish/edition.ts';
import { promoteRelease } from '../publish/promote.ts';
import { formatReleaseDiff } from '../publish/release-diff.ts';
import { EDITION_NAME } from '../publish/release-record.ts';
import { formatBytes } from '../ui/format.ts';
import { printDiagnostic, type ExitCode, type Io } from './io.ts';
import type { Options } from './options.ts';
import { publishRoot } from './publish-command.ts';

export async function promoteCommand(args: readonly string[], options: Options, io: Io): Promise<ExitCode> {
  const root = publishRoot(options, io, 'promote');
  if (!root) return 2;
  const [from, to] = [options.from, options.to];
  if (args.length !== 1 || !from || !to) {
    io.err('mkimage: promote wants one distro, --from and --to (hint: mkimage promote ldap-server --from testing --to production)');
    return 2;
  }
  const distro = args[0]!;
  for (const name of [from, to]) {
    if (!EDITION_NAME.test(name)) {
      io.err(`mkimage: edition ${JSON.stringify(name)} is not a name (hint: lower-case letters, digits and -)`);
      return 2;
    }
  }
  const unknown = unknownEdition(root, distro, from);
  if (unknown) {
    printDiagnostic(io, unknown);
    return 2;
  }
  const r = await promoteRelease({ from: new Edition(root, distro, from), to: new Edition(root, distro, to), ...(options.release && { id: options.release }), dryRun: options['dry-run'] ?? false, env: io.env, signal: io.signal });
  if (!r.ok) {
    printDiagnostic(io, r.error);
    return 2;
  }
  const p = r.value;
  io.out(`${distro}: ${from} ${p.id} -> ${to}${p.served ? ` (serving ${p.served})` : ' (serving nothing yet)'}`);
  for (const g of p.gates) {
    io.out(`  gate ${g.name}: ${g.ok ? 'passed' : 'FAILED'}`);
    for (const line of g.said) io.out(`    ${line}`);
  }
  if (p.diff) for (const line of formatReleaseDiff(p.diff, formatBytes)) io.out(`  ${line}`);
  const failed = p.gates.filter((g) => !g.ok);
  if (failed.length > 0) {
    io.err(`mkimage: promotion of ${distro} ${p.id} to ${to} refused: ${failed.map((g) => `gate ${g.name}: ${g.said[0]}`).join('; ')}`);
    return 1;
  }
  if (options['dry-run']) io.out(`dry run: ${to} is as it was`);
  else io.out(p.already ? `${distro} ${to}: ${p.id} is current` : `promoted ${distro} ${p.id} to ${to}: current`);
  return 0;
}
