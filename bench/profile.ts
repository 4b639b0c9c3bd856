// Summarises a V8 .cpuprofile (from MKIMAGE_BENCH_PROFILE_DIR or --cpu-prof) as the
// functions with the most self time and the most total time, with their share of the run:
// `node --import tsx bench/profile.ts FILE [TOP]`.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const REPO = fileURLToPath(new URL('..', import.meta.url));

function label(n: ProfileNode): string {
  const { functionName, url, lineNumber } = n.callFrame;
  const where = url.startsWith('file://') ? relative(REPO, fileURLToPath(url)) : url;
  return `${functionName || '(anonymous)'} ${where ? `${where}:${lineNumber + 1}` : ''}`.trim();
}

export function summarise(profile: CpuProfile, top = 25): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    self.set(label(node), (self.get(label(node)) ?? 0) + us);
    // Every function on the stack gets the sample once, however often it recurses.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const l = label(byId.get(at)!);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + us);
    }
  }
  const rows = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([l, us]) => `${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${l}`);
  return [
    `sampled ${(total / 1000).toFixed(1)} ms`,
    '-- self time --',
    ...rows(self),
    '-- total time (self + callees) --',
    ...rows(inclusive),
  ];
}

// Piped into head: stop quietly when the reader has had enough.
process.stdout.on('error', () => process.exit(0));
const [file, top] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node --import tsx bench/profile.ts FILE.cpuprofile [TOP]\n');
  process.exit(2);
}
for (const line of summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, top ? Number(top) : undefined)) {
  process.stdout.write(`${line}\n`);
}
