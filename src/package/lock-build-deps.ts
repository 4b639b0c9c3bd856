// The build dependencies of a source, pinned for the lock: apt's own answer to `apt-get
// satisfy` of its Build-Depends on the locked build chroot, asked on the host with a private
// apt state (the chroot's dpkg status, the archive's suite, the repositories of the builds it is
// built against pinned above it), simulated, nothing installed. Each archive package apt chose
// is pinned to the signed index; what our builds provide is not (their repositories give it).

import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LockedPackage } from '../archive/lock-file.ts';
import { parseAptSimulation, pin } from '../archive/pin.ts';
import type { SuiteIndex } from '../archive/suite-index.ts';
import { canonicalJson } from '../core/canonical.ts';
import { fail, ok, type Result } from '../core/diagnostic.ts';
import { RecipeFailure } from '../core/target.ts';
import { builtPin } from '../image/built-repos.ts';
import type { StepIo } from '../image/step-io.ts';
import { HOST_PATH } from '../image/tools/tool.ts';
import { run } from '../proc/run.ts';
import type { PackageBuildConfig } from './config.ts';
import { unsatisfiable } from './stages/build-deps.ts';

/** What a source's pinned set was resolved for: its Build-Depends, profiles, chroot and the builds it is built against. */
export function buildDepsInputs(c: Pick<PackageBuildConfig, 'suite' | 'architecture' | 'profiles' | 'after' | 'chroot'>, relations: string): string {
  const record = {
    relations,
    profiles: c.profiles,
    suite: c.suite,
    architecture: c.architecture,
    chroot: (c.chroot?.packages ?? []).map((p) => `${p.name}=${p.version}:${p.architecture}`).sort(),
    after: [...c.after].sort(),
  };
  return createHash('sha256').update(canonicalJson(record)).digest('hex').slice(0, 16);
}

export interface BuildDepsQuestion {
  readonly config: Pick<PackageBuildConfig, 'name' | 'suite' | 'architecture' | 'profiles'>;
  /** Build-Depends, -Arch and -Indep as one relation list. */
  readonly relations: string;
  /** The locked chroot's dpkg status file. */
  readonly status: string;
  /** The suite's verified index: apt reads the same suite, and its choices are pinned to this. */
  readonly index: SuiteIndex;
  /** The built repositories of the builds it is built against, and the binaries they hold. */
  readonly repos: readonly string[];
  readonly ours: ReadonlySet<string>;
}

/** The archive packages apt-get satisfy installs, pinned; an unsatisfiable relation is one line naming it. */
export async function resolveBuildDeps(q: BuildDepsQuestion, io: StepIo): Promise<Result<LockedPackage[]>> {
  const conf = await privateApt(io.tmp, q);
  let said = '';
  const output = (stream: 'stdout' | 'stderr', text: string) => ((said += text), io.output(stream, text));
  const apt = (args: readonly string[]) => run('apt-get', args, { cwd: io.tmp, env: { PATH: HOST_PATH, APT_CONFIG: conf, LC_ALL: 'C.UTF-8' }, signal: io.signal, output });
  try {
    await apt(['update', '-q']);
  } catch (e) {
    if (!(e instanceof RecipeFailure) || io.signal.aborted) throw e;
    const why = said.split('\n').find((l) => /^(E|Err):/.test(l.trim()))?.trim() ?? e.message;
    return fail({ message: `${q.config.name}: apt-get update of ${q.index.source.url} ${q.index.source.suite} failed, locking its build dependencies: ${why}`, hint: 'is the network up, and the mirror reachable?' });
  }
  said = '';
  try {
    const profiles = q.config.profiles.length > 0 ? ['-o', `APT::Build-Profiles=${q.config.profiles.join(',')}`] : [];
    await apt(['satisfy', '--simulate', '--no-install-recommends', ...profiles, q.relations]);
  } catch (e) {
    if (e instanceof RecipeFailure && !io.signal.aborted) {
      const why = unsatisfiable(q.config, said, e);
      return fail({ message: why.message, ...(why.details.hint && { hint: why.details.hint }) });
    }
    throw e;
  }
  const chosen = parseAptSimulation(said).filter((p) => !q.ours.has(p.name));
  return pin(chosen, [q.index], 'build-deps');
}

/** An apt configuration of its own under `dir`: none of the host's sources, state or settings. */
async function privateApt(dir: string, q: BuildDepsQuestion): Promise<string> {
  for (const d of ['empty', 'state/lists/partial', 'cache/archives/partial', 'log']) await mkdir(join(dir, d), { recursive: true });
  const s = q.index.source;
  const sources = [`deb [signed-by=${s.keyring}] ${s.url} ${s.suite} ${s.components.join(' ')}`, ...q.repos.map((r) => `deb [trusted=yes] file:${r} ./`)];
  await writeFile(join(dir, 'sources.list'), `${sources.join('\n')}\n`);
  await writeFile(join(dir, 'preferences'), q.repos.length > 0 ? builtPin() : '');
  const options: Array<[string, string]> = [
    ['Dir::Etc::SourceList', join(dir, 'sources.list')],
    ['Dir::Etc::SourceParts', join(dir, 'empty')],
    ['Dir::Etc::Parts', join(dir, 'empty')],
    ['Dir::Etc::Preferences', join(dir, 'preferences')],
    ['Dir::Etc::PreferencesParts', join(dir, 'empty')],
    ['Dir::State', join(dir, 'state')],
    ['Dir::State::status', q.status],
    ['Dir::Cache', join(dir, 'cache')],
    ['Dir::Log', join(dir, 'log')],
    ['APT::Architecture', q.config.architecture],
    ['Acquire::Languages', 'none'],
    ['Debug::NoLocking', 'true'],
    ['APT::Sandbox::User', 'root'],
  ];
  const file = join(dir, 'apt.conf');
  await writeFile(file, `${options.map(([k, v]) => `${k} "${v}";`).join('\n')}\nAPT::Architectures { "${q.config.architecture}"; };\n`);
  return file;
}
