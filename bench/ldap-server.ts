// `npm run -s bench -- ldap-server`: the shipped ldap-server, which takes the project's own
// OpenLDAP 2.6 (trixie's source built for bookworm, a patch of ours, the Perl and SQL backends
// configured out) and curl rebuilt against its renamed library, built from an empty store
// under -j 2 through the real CLI. Needs root, the Debian tools and the archive; about half an
// hour on 2 cores.
//
// ldap.cold: the wall time, each package build's targets (seconds), each image stage.
// ldap.stock: the baseline, in the same run: the same image from an empty store with the
//   archive's OpenLDAP 2.5 (the copy's features/ldap without its package build).
// ldap.checks: what the build must give, checked (the suite fails otherwise): slapd -VV shows
//   our version suffix, slapd started in the image's root serves the suffix the hook loaded
//   and our ldapsearch prints the patch's line, no package of the image still depends on
//   libldap-2.5-0 nor is it installed, and the ISO boots (BIOS) with every unit up.

import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { progress, round, settle, type Report, type Suite } from './measure.ts';
import { ran, run, snapshot, targetEvents, type TargetEvent } from './packages.ts';
import { TempDirs } from './temp.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const EPOCH = '1700000000';
const DISTRO = 'ldap-server-test';
const GOAL = `${DISTRO}.iso`;
/** ldap-server with a root password the boot check logs in with (use/testing/login). */
const TEST_DISTRO = `import { distro } from 'mkimage';
import { ldapServer } from './server.ts';

export const ldapServerTest = distro('${DISTRO}', { description: 'ldap-server with a known root password, for the benchmark', needs: [ldapServer, 'use/testing/login'] });
`;
/** Inside a throwaway copy of the image's root: slapd -VV, then a search of the suffix over ldapi. */
const PROBE = `set -eu
slapd -VV 2>&1 | head -n 1
echo "dependents of libldap-2.5-0: $(dpkg-query -W -f '\${Package} \${Depends}\\n' | grep -c 'libldap-2\\.5-0' || true)"
echo "libldap-2.5-0 installed: $(dpkg-query -W -f '\${db:Status-Abbrev}' libldap-2.5-0 2>/dev/null || echo no)"
mkdir -p /run/slapd && chown openldap:openldap /run/slapd
slapd -h ldapi:/// -u openldap -g openldap -F /etc/ldap/slapd.d
for i in 1 2 3 4 5 6 7 8 9 10; do [ -S /run/slapd/ldapi ] && break; sleep 0.5; done
ldapsearch -Q -Y EXTERNAL -H ldapi:/// -b dc=example,dc=org -s one dn
kill "$(cat /run/slapd/slapd.pid)"
`;

export const ldapServerSuite: Suite = async (report, temp) => {
  const local = new TempDirs(process.env.MKIMAGE_BENCH_TMP || '/var/tmp');
  temp.defer(() => local.dispose());
  const bin = await snapshot(local);
  const project = (label: string, own: boolean): string => {
    const dir = local.dir(label);
    for (const part of ['Targetfile.ts', 'package.json', 'conf.d', 'features']) cpSync(join(REPO, part), join(dir, part), { recursive: true });
    writeFileSync(join(dir, 'conf.d/ldap-server-test.ts'), TEST_DISTRO);
    if (!own) {
      const feature = join(dir, 'features/ldap/feature.ts');
      const text = readFileSync(feature, 'utf8');
      const stock = text.replace(/\n {2}packages: \[[\s\S]*?\n {2}\],\n/, '\n');
      if (stock === text) throw new Error('ldap.stock: features/ldap/feature.ts declares no packages: [...] to take out');
      writeFileSync(feature, stock);
    }
    return dir;
  };
  const env = (dir: string) => ({ ...process.env, CI: '1', SOURCE_DATE_EPOCH: EPOCH, GIT_CEILING_DIRECTORIES: join(dir, '..') }) as Record<string, string>;
  const mkimage = async (bench: string, dir: string, store: string, args: readonly string[]) => {
    const r = await run(process.execPath, [bin, '--store', store, ...args], dir, env(dir));
    if (r.code !== 0) throw new Error(`${bench}: mkimage ${args.join(' ')} exited with ${r.code}: ${r.output.slice(-3000)}`);
    return r;
  };

  const own = project('ldap-project', true);
  const store = local.dir('ldap-store');
  await settle();
  progress(`cold: mkimage -j 2 ${GOAL} from an empty store (buildd, openldap, curl, the image)`);
  const cold = await mkimage('ldap.cold', own, store, ['--json', '-j', '2', GOAL]);
  const events = targetEvents(cold.stdout);
  report({
    bench: 'ldap.cold',
    ms: Math.round(cold.ms),
    targets_ran: ran(events).length,
    // Each package build's steps (package/openldap is dpkg-buildpackage itself), and the chroot.
    ...Object.fromEntries(ran(events).filter((e) => e.target.startsWith('package/') || e.target.startsWith('buildd/')).map((e) => [`s_${e.target}`, secondsOf(e)])),
    ...Object.fromEntries(ran(events).filter((e) => e.target.startsWith(`${DISTRO}/`)).map((e) => [`s_${e.target.slice(DISTRO.length + 1)}`, secondsOf(e)])),
  });

  const stockDir = project('ldap-stock-project', false);
  const stockStore = local.dir('ldap-stock-store');
  await settle();
  progress(`stock: mkimage -j 2 ${GOAL} from an empty store with the archive's OpenLDAP 2.5`);
  const stock = await mkimage('ldap.stock', stockDir, stockStore, ['--json', '-j', '2', GOAL]);
  report({
    bench: 'ldap.stock',
    ms: Math.round(stock.ms),
    own_ms: Math.round(cold.ms),
    own_over_stock: round(cold.ms / stock.ms, 2),
    package_builds_ran: ran(targetEvents(stock.stdout)).filter((e) => e.target.startsWith('package/')).length,
  });

  progress('checks: slapd -VV, a search over ldapi, libldap-2.5-0 gone, a BIOS boot with every unit up');
  const probe = await mkimage('ldap.checks', own, store, ['shell', `${DISTRO}.iso:cleanup`, '--', 'sh', '-c', PROBE]);
  const manifest = JSON.parse(readFileSync(join(own, 'out', `${GOAL}.manifest.json`), 'utf8')) as { packages: Array<{ name: string; version: string }> };
  const version = (name: string) => manifest.packages.find((p) => p.name === name)?.version ?? null;
  const boot = await mkimage('ldap.checks', own, store, ['boot', join(own, 'out', GOAL), '--login', 'root:mkimage', '--timeout', '600']);
  const checks = {
    slapd_vv: /\+mkimage1\b/.test(probe.stdout.split('\n').find((l) => l.includes('slapd')) ?? ''),
    search_serves_suffix: /^dn: ou=people,dc=example,dc=org$/m.test(probe.stdout),
    search_shows_patch: /^# ldapsearch built by mkimage$/m.test(probe.stdout),
    no_dependent_of_libldap_2_5: /^dependents of libldap-2\.5-0: 0$/m.test(probe.stdout),
    libldap_2_5_gone: version('libldap-2.5-0') === null && /^libldap-2\.5-0 installed: no$/m.test(probe.stdout),
    boots_running: /boot ok: .*system running/.test(boot.stdout),
  };
  report({
    bench: 'ldap.checks',
    ...checks,
    slapd: version('slapd'),
    libldap2: version('libldap2'),
    libcurl4: version('libcurl4'),
    boot: boot.stdout.trim().split('\n').at(-1) ?? '',
  });
  const failed = Object.entries(checks).filter(([, ok]) => !ok).map(([k]) => k);
  if (failed.length > 0) throw new Error(`ldap.checks: ${failed.join(', ')} failed; the probe said:\n${probe.output.slice(-3000)}`);
};

const secondsOf = (e: TargetEvent) => round((e.durationMs ?? 0) / 1000, 1);
