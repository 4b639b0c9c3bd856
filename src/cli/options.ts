// Every command-line option, declared once as data: parsing and --help come from this table.

import { parseArgs } from 'node:util';
import { fail, ok, type Diagnostic, type Result } from '../core/diagnostic.ts';
import { closest } from '../core/suggest.ts';

interface OptionSpec {
  readonly type: 'boolean' | 'string';
  readonly short?: string;
  readonly arg?: string;
  readonly help: string;
}

export const OPTIONS = {
  file: { type: 'string', short: 'f', arg: 'PATH', help: 'the Targetfile to load (default: ./Targetfile.ts)' },
  jobs: { type: 'string', short: 'j', arg: 'N', help: 'job slots: targets run at once (default: number of cores)' },
  'keep-going': { type: 'boolean', short: 'k', help: 'after a failure, build everything that does not depend on it' },
  'dry-run': { type: 'boolean', short: 'n', help: 'print what would run and why; run nothing' },
  explain: { type: 'boolean', help: 'print, for each target that runs, what changed since the last build' },
  'always-make': { type: 'boolean', short: 'B', help: 'run every recipe, ignoring the cache' },
  watch: { type: 'boolean', short: 'w', help: 'after building, rebuild what each edit of the profile or an input touches (Ctrl-C stops)' },
  json: { type: 'boolean', help: 'print events as JSON, one per line' },
  plain: { type: 'boolean', help: 'plain line-per-event output even on a terminal' },
  verbose: { type: 'boolean', short: 'v', help: "print the recipes' output" },
  store: { type: 'string', arg: 'DIR', help: 'the artifact store (default: $MKIMAGE_STORE, else $XDG_CACHE_HOME/mkimage)' },
  out: { type: 'string', arg: 'DIR', help: "where the goals' outputs are written (default: out/ beside the Targetfile)" },
  format: { type: 'string', arg: 'FMT', help: 'graph: dot, mermaid, svg, json or tree (default: tree)' },
  vars: { type: 'boolean', help: 'graph: show what each node sets' },
  stages: { type: 'boolean', help: 'graph: draw the stages the build will run' },
  mirror: { type: 'string', arg: 'URL', help: "images, lock, fetch: the Debian mirror to resolve and fetch from (default: the profile's MIRRORS, else the host's apt sources); a lock stays the profile's" },
  locked: { type: 'boolean', help: 'images: fail when mkimage.lock does not hold what the profile asks for, instead of locking it (CI)' },
  offline: { type: 'boolean', help: 'images: no network: every package from the pool (mkimage fetch fills it), the lock as it is' },
  check: { type: 'boolean', help: 'lock: exit 1 and list what moved in the archive since the lock, changing nothing' },
  update: { type: 'boolean', help: 'lock: move every package to the archive\'s newest, or only the PKG... named and what they need' },
  network: { type: 'boolean', help: "shell: give the shell the host's network (as a feature's networkHooks)" },
  uefi: { type: 'boolean', help: 'boot: UEFI firmware (OVMF) instead of BIOS' },
  timeout: { type: 'string', arg: 'S', help: 'boot: seconds to reach the login prompt (default 300)' },
  login: { type: 'string', arg: 'USER:PASSWORD', help: 'boot: also log in and check systemd and ssh' },
  'max-size': { type: 'string', arg: 'SIZE', help: 'cache gc: evict least recently used entries down to SIZE (500M, 20G)' },
  'drop-locked': { type: 'boolean', help: 'cache gc: also remove pool files that mkimage.lock refers to' },
  root: { type: 'string', arg: 'DIR', help: 'publish, releases, rollback: the publish root (default: $MKIMAGE_PUBLISH_ROOT)' },
  edition: { type: 'string', arg: 'NAME', help: 'publish, rollback: the edition (default: testing)' },
  from: { type: 'string', arg: 'EDITION', help: 'promote: the edition the release is in' },
  to: { type: 'string', arg: 'EDITION', help: 'promote: the edition it goes to' },
  release: { type: 'string', arg: 'ID', help: "promote: the release (default: the --from edition's current one)" },
  'server-name': { type: 'string', arg: 'HOST[:PORT]', help: 'serve-config: the name hosts reach the server by' },
  tls: { type: 'string', arg: 'DIR', help: 'serve-config: server.crt, server.key, ca.crt and clients-EDITION-ca.crt' },
  listen: { type: 'string', arg: 'ADDR:PORT', help: 'serve-config: where nginx listens (default 443)' },
  'sign-key': { type: 'string', arg: 'KEY', help: 'publish: the gpg key releases are signed with (default: $MKIMAGE_SIGN_KEY)' },
  help: { type: 'boolean', short: 'h', help: 'this help' },
} as const satisfies Record<string, OptionSpec>;

export type Options = {
  -readonly [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};

export interface Parsed {
  readonly options: Options;
  readonly positionals: readonly string[];
}

/**
 * Parses the command line. parseArgs runs lenient and we check its tokens ourselves, so that a
 * bad option gets our one-line message and a did-you-mean instead of the parser's wording.
 */
export function parse(argv: readonly string[]): Result<Parsed> {
  const { values, positionals, tokens } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(
      Object.entries(OPTIONS).map(([name, o]) => [name, { type: o.type, ...('short' in o && { short: o.short }) }]),
    ),
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const bad = badOption(token.name, token.rawName, token.value, token.inlineValue);
    if (bad) return fail(bad);
  }
  return ok({ options: values as Options, positionals });
}

const HELP_HINT = 'mkimage --help lists the options';

/** What is wrong with one option as given, if anything. */
function badOption(name: string, rawName: string, value: string | undefined, inline: boolean | undefined): Diagnostic | undefined {
  const spec: OptionSpec | undefined = Object.hasOwn(OPTIONS, name) ? OPTIONS[name as keyof typeof OPTIONS] : undefined;
  if (!spec) {
    const guess = rawName.startsWith('--') ? longTwin(name) : caseTwin(name);
    return { message: `unknown option ${rawName}`, hint: guess ? `did you mean ${guess}?  ${HELP_HINT}` : HELP_HINT };
  }
  if (spec.type === 'boolean' && value !== undefined) {
    return { message: `option ${rawName} takes no value (given ${JSON.stringify(value)})`, hint: `${rawName} alone turns it on` };
  }
  // Lenient parsing takes the next word even when it is an option (`-j --json`): strict
  // parsing refused that as ambiguous, and so do we; `--jobs=-1` still gives a dash value.
  if (spec.type === 'string' && (value === undefined || (!inline && value.startsWith('-')))) {
    return { message: `option ${rawName} wants a value: ${rawName} ${spec.arg ?? 'VALUE'}`, hint: HELP_HINT };
  }
  return undefined;
}

function longTwin(name: string): string | undefined {
  const guess = closest(name, Object.keys(OPTIONS));
  return guess && `--${guess}`;
}

/** The short option that differs only in case (`-b` for `-B`): the one typo single letters have. */
function caseTwin(letter: string): string | undefined {
  const twin = letter === letter.toLowerCase() ? letter.toUpperCase() : letter.toLowerCase();
  return Object.values(OPTIONS).some((o: OptionSpec) => o.short === twin) ? `-${twin}` : undefined;
}

export function help(): string {
  const rows = Object.entries(OPTIONS).map(([name, o]: [string, OptionSpec]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.arg ? ` ${o.arg}` : ''}`;
    return `  ${flag.padEnd(26)} ${o.help}`;
  });
  return [
    'usage: mkimage [options] [TARGET...]     build targets (default: every target nothing else needs)',
    '       mkimage --watch [TARGET...]       build, then rebuild on every edit of the profile or an input',
    '       mkimage list                      buildable targets (distro.TYPE and plain targets)',
    '       mkimage features                  features and their mixins',
    '       mkimage settings [--json]         the variables profiles can set: type, default, help',
    '       mkimage show DISTRO [--json]      every resolved variable and the mixins that made it',
    '       mkimage graph DISTRO[.TYPE] [--format dot|mermaid|svg|json|tree] [--vars] [--stages]',
    '       mkimage boot ISO [--uefi] [--timeout S] [--login USER:PASSWORD]   boot it in qemu to the login prompt',
    '       mkimage new feature NAME          scaffold features/NAME: feature.ts, a setting, a list, rootfs/, a hook',
    '       mkimage why TARGET... [--json]    what made each target it needs run the last time it ran',
    '       mkimage shell DISTRO[.TYPE][:STAGE] [-- CMD...]  a shell in a throwaway copy of a stage\'s root',
    '       mkimage ls IMAGE [PATH] [--json]  the image\'s files: mode, owner, size (IMAGE: name, out/ file, digest)',
    '       mkimage diff A B [--json]         packages and files that differ between two builds',
    '       mkimage lock [DISTRO...]          pin every package of the distros in mkimage.lock (beside the Targetfile)',
    '       mkimage lock --check [DISTRO...]  what moved in the archive since: old -> new, and the images it is in',
    '       mkimage lock --update [DISTRO...] [PKG...]  move the lock on: everything, or the named packages',
    '       mkimage fetch [DISTRO...]         fill the package pool with every locked package (then --offline builds)',
    '       mkimage publish DISTRO[.TYPE]... --root DIR --sign-key KEY [--edition NAME]  build, then write a signed release; current by one rename',
    '       mkimage promote DISTRO --from EDITION --to EDITION [--release ID] [--dry-run]  the tested release, after its gates',
    '       mkimage serve-config --edition NAME --server-name HOST --tls DIR [--listen ADDR:PORT] [--out DIR]  nginx for one edition, and its hosts\' apt files',
    '       mkimage releases [DISTRO] [--root DIR]  each edition\'s releases, the current one marked, what moved between them',
    '       mkimage rollback DISTRO --edition NAME [--root DIR]  make the release before the current one current again',
    '       mkimage doctor [TARGET...]        the Debian packages the host lacks',
    '       mkimage cache ls                  store entries with sizes and ages',
    '       mkimage cache verify              rehash every entry and pool file; evict and report corrupt ones',
    '       mkimage cache gc --max-size SIZE  evict least recently used entries; pool files no lock refers to',
    '',
    'options:',
    ...rows,
  ].join('\n');
}
