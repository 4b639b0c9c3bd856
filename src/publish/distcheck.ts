// Debian's dose-distcheck asked whether packages can be installed: the foreground packages are
// checked, each against everything (foreground and background); its YAML report read for the
// broken ones, each with what it lacks (`libjansson4:amd64 (>= 2.15)`) or conflicts with.

import { fail, ok, type Result } from '../core/diagnostic.ts';
import { run } from '../proc/run.ts';
import { HOST_PATH } from '../image/tools/tool.ts';

export interface Broken {
  readonly name: string;
  readonly version: string;
  /** Each unmet dependency (`libjansson4:amd64 (>= 2.15)`) or conflict (`conflicts with foo 1.0`), and whose it is when it is not the package's own. */
  readonly reasons: ReadonlyArray<{ readonly of: string; readonly unmet: string }>;
}

/** The broken packages of `foreground` (Packages files) among `background` ones. */
export async function distcheck(foreground: readonly string[], background: readonly string[], architecture: string, signal: AbortSignal): Promise<Result<Broken[]>> {
  let out = '';
  let err = '';
  const args = [`--deb-native-arch=${architecture}`, '--failures', '--explain', ...foreground.flatMap((f) => ['--fg', `deb://${f}`]), ...background.flatMap((f) => ['--bg', `deb://${f}`])];
  try {
    await run('dose-distcheck', args, { cwd: '/', env: { PATH: HOST_PATH }, signal, output: (s, t) => (s === 'stdout' ? (out += t) : (err += t)) });
  } catch (e) {
    // It exits 1 when it found broken packages: the report says which.
    if (signal.aborted || !/^broken-packages: [1-9]/m.test(out)) {
      return fail({ message: `dose-distcheck: ${err.trim().split('\n').at(-1) || (e instanceof Error ? e.message : String(e))}`, hint: 'apt-get install dose-distcheck (scripts/host-deps.sh installs it)' });
    }
  }
  return ok(parseDistcheck(out));
}

/** The broken packages of a dose-distcheck report (output-version 1.2). */
export function parseDistcheck(yaml: string): Broken[] {
  const items = yaml.split(/^ -\n/m).slice(1);
  const out: Broken[] = [];
  for (const item of items) {
    const top = (field: string) => new RegExp(`^  ${field}: (.*)$`, 'm').exec(item)?.[1]?.trim();
    if (top('status') !== 'broken') continue;
    const name = top('package') ?? '';
    const reasons: Array<{ of: string; unmet: string }> = [];
    // Each `missing` names the package in the chain whose dependency is unmet.
    for (const m of item.matchAll(/^\s+package: (\S+)\n(?:\s+\w[\w-]*: .*\n)*?\s+unsat-dependency: (.*)$/gm)) reasons.push({ of: m[1]!, unmet: m[2]!.trim() });
    for (const c of item.matchAll(/^\s+conflict:\n\s+pkg1:\n\s+package: (\S+)\n(?:\s+\w[\w-]*: .*\n)*?\s+pkg2:\n\s+package: (\S+)\n\s+version: (\S+)/gm)) reasons.push({ of: c[1]!, unmet: `conflicts with ${c[2]} ${c[3]}` });
    out.push({ name, version: top('version') ?? '', reasons });
  }
  return out;
}
