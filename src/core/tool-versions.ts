// The versions of the tools a build's targets declared, asked before anything is fingerprinted:
// once per probe key in a build, however many targets share the tool, and again in the next
// build (a tool upgraded between two builds of watch mode counts). The build and the dry run
// both read them from here.

import type { TargetSpec, ToolProbe } from './target.ts';

export type ToolAnswer =
  | { readonly ok: true; readonly versions: Readonly<Record<string, string>> }
  /** The first declared tool that could not tell its version, with why. */
  | { readonly ok: false; readonly message: string };

export class ToolVersions {
  private constructor(private readonly answers: ReadonlyMap<string, PromiseSettledResult<string>>) {}

  /** Asks every distinct probe of the specs, in parallel. */
  static async ask(specs: Iterable<TargetSpec>): Promise<ToolVersions> {
    const probes = new Map<string, ToolProbe>();
    for (const spec of specs) for (const probe of Object.values(spec.tools)) if (!probes.has(probe.key)) probes.set(probe.key, probe);
    const keys = [...probes.keys()];
    const settled = await Promise.allSettled(keys.map((k) => probes.get(k)!.version()));
    return new ToolVersions(new Map(keys.map((k, i) => [k, settled[i]!])));
  }

  /** The spec's tool versions by the names it declared, or why one is missing. */
  of(spec: TargetSpec): ToolAnswer {
    if (isEmpty(spec.tools)) return NO_TOOLS;
    const versions: Record<string, string> = {};
    for (const [name, probe] of Object.entries(spec.tools)) {
      const answer = this.answers.get(probe.key);
      if (answer === undefined) return { ok: false, message: `${name}: not asked (a bug: the build did not resolve its tools)` };
      if (answer.status === 'rejected') {
        const why = answer.reason instanceof Error ? answer.reason.message : String(answer.reason);
        return { ok: false, message: `${name}: ${why}` };
      }
      versions[name] = answer.value;
    }
    return { ok: true, versions };
  }
}

const NO_TOOLS: ToolAnswer = { ok: true, versions: {} };

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}
