// The worked example of docs/writing-a-feature.md, as written there, loads into the shipped
// profile and resolves: the guide cannot drift from the DSL unnoticed.
import test from 'ava';
import { chmodSync, cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProjectRig } from './helpers/project-rig.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));

/** The fenced blocks of a markdown text with the given language, in order. */
function blocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

test("the guide's web-page feature, hook and distro load, and show resolves them as the guide says", async (t) => {
  const guide = readFileSync(join(REPO, 'docs/writing-a-feature.md'), 'utf8');
  const ts = blocks(guide, 'ts');
  const hook = blocks(guide, 'sh').find((b) => b.startsWith('#!/bin/sh'))!;
  const r = new ProjectRig({});
  t.teardown(() => r.dispose());
  for (const part of ['Targetfile.ts', 'conf.d', 'features']) cpSync(join(REPO, part), r.path(part), { recursive: true });
  r.write({
    'features/web-page/feature.ts': ts.find((b) => b.includes('export default feature('))!,
    'features/web-page/hooks/50-web-page': hook,
    'features/web-page/lists/web-page': 'nginx\n',
    'conf.d/web.ts': ts.find((b) => b.includes("distro('web-server'"))!,
  });
  chmodSync(r.path('features/web-page/hooks/50-web-page'), 0o755);
  const show = await r.run(['show', 'web-server']);
  t.is(show.code, 0, show.stderr);
  t.regex(show.stdout, /^WEB_PAGE_GREETING = "welcome"$/m);
  t.regex(show.stdout, /^ {2}web-page\/50-web-page {2}features\/web-page\/hooks\/50-web-page {2}\(reads WEB_PAGE_GREETING\)$/m);
  t.regex(show.stdout, /^packages on top \(1\): nginx$/m);
});
