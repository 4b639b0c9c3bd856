// Turns the plain targets of a Targetfile into engine targets: validates what was declared,
// pins each prerequisite edge to the line that names it, and gives `sh` recipes a runner.

import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fail, ok, type Diagnostic, type Result } from '../core/diagnostic.ts';
import { SourceLines } from './source-lines.ts';
import { targetId } from '../core/ids.ts';
import type { Prerequisite, RecipeContext, RecipeIdentity, TargetSpec, ToolProbe } from '../core/target.ts';
import type { TargetDef } from '../dsl/target.ts';
import { run } from '../proc/run.ts';
import { toolVersion } from '../proc/tool-version.ts';

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+@/-]*$/;

export function plainTargets(defs: readonly TargetDef[], hostEnv: Readonly<Record<string, string | undefined>>): Result<TargetSpec[]> {
  const sources = new SourceLines();
  // The PATH `sh` recipes find their tools on: their versions are asked on it too.
  const path = shellPath(hostEnv);
  const specs: TargetSpec[] = [];
  for (const def of defs) {
    const checked = check(def);
    if (checked) return fail(checked);
    const o = def.options;
    const deps: Prerequisite[] = (o.deps ?? []).map((d) => {
      const name = typeof d === 'string' ? d : d.options.name;
      const at = sources.lineNaming(def.at, name) ?? def.at;
      return { id: targetId(name), ...(at && { at }) };
    });
    const tools: Record<string, ToolProbe> = {};
    for (const [tool, command] of Object.entries(o.tools ?? {})) {
      const [file, ...args] = command.split(/\s+/).filter(Boolean);
      tools[tool] = { key: `${path}\0${command}`, version: () => toolVersion(file!, args, { path }) };
    }
    // A function's source, not the helpers it calls: those need `version:` (see the README).
    const recipe: RecipeIdentity = o.sh !== undefined
      ? { kind: 'sh', parts: { script: o.sh }, version: o.version ?? '' }
      : { kind: 'fn', parts: { function: String(o.run) }, version: o.version ?? '' };
    const fn = o.run;
    specs.push({
      id: targetId(o.name),
      ...(o.description !== undefined && { description: o.description }),
      deps,
      inputs: { files: o.files ?? [], trees: o.trees ?? [], values: o.values ?? {}, env: o.env ?? [] },
      tools,
      weight: o.weight ?? 1,
      recipe,
      run: o.sh !== undefined ? (ctx) => runShell(o.sh!, ctx, hostEnv) : async (ctx) => void (await fn!(ctx)),
      ...(def.at && { at: def.at }),
    });
  }
  return ok(specs);
}

function check(def: TargetDef): Diagnostic | undefined {
  const o = def.options;
  const at = def.at && { at: def.at };
  if (typeof o.name !== 'string' || !NAME.test(o.name)) {
    return { message: `invalid target name ${JSON.stringify(o.name)}`, ...at, hint: 'letters, digits and _ . + @ / -' };
  }
  if ((o.sh === undefined) === (o.run === undefined)) {
    return { message: `target ${o.name} needs exactly one recipe`, ...at, hint: 'give either sh: "..." or run: (ctx) => ...' };
  }
  if (o.weight !== undefined && o.weight !== 'all' && !(Number.isInteger(o.weight) && o.weight >= 0)) {
    return { message: `target ${o.name}: weight must be a whole number (0 for a light recipe) or 'all'`, ...at };
  }
  return undefined;
}

/**
 * A shell recipe sees only what it declared: $OUT to fill, $DEPS/<name> for each
 * prerequisite's output, $TMPDIR, its declared env, and PATH to find tools (whose versions
 * it declares). It runs in the project directory with `set -eu`.
 */
async function runShell(script: string, ctx: RecipeContext, hostEnv: Readonly<Record<string, string | undefined>>): Promise<void> {
  const depsDir = join(ctx.tmp, 'deps');
  mkdirSync(depsDir);
  for (const [name, path] of Object.entries(ctx.deps)) {
    const link = join(depsDir, name);
    mkdirSync(join(link, '..'), { recursive: true });
    symlinkSync(path, link);
  }
  await run('/bin/sh', ['-euc', script], {
    cwd: ctx.root,
    env: {
      PATH: shellPath(hostEnv),
      HOME: ctx.tmp,
      TMPDIR: ctx.tmp,
      LC_ALL: 'C.UTF-8',
      ...ctx.env,
      OUT: ctx.out,
      DEPS: depsDir,
      VALUES: JSON.stringify(ctx.values),
    },
    signal: ctx.signal,
    output: ctx.output,
  });
}

const shellPath = (hostEnv: Readonly<Record<string, string | undefined>>): string => hostEnv.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin';
