// `mkimage serve-config --edition NAME --root DIR --server-name HOST[:PORT] --tls DIR [--listen
// ADDR:PORT] [--out DIR]`: nginx's server block for the edition, and what each of its hosts
// needs, written to --out (default serve-EDITION/). --tls holds server.crt and server.key,
// ca.crt (what hosts trust the server by) and clients-EDITION-ca.crt (whose client
// certificates the edition takes).

import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Edition, unservedEdition } from '../publish/edition.ts';
import { SIGNING_KEY } from '../publish/publish.ts';
import { aptSourceLine, aptTlsConf, nginxServer } from '../publish/serve-config.ts';
import { printDiagnostic, type ExitCode, type Io } from './io.ts';
import type { Options } from './options.ts';
import { editionName, publishRoot } from './publish-command.ts';

/** Where a host keeps what serve-config gives it. */
const HOST_DIR = '/etc/mkimage';

export async function serveConfigCommand(args: readonly string[], options: Options, io: Io): Promise<ExitCode> {
  const root = publishRoot(options, io, 'serve-config');
  const edition = editionName(options, io);
  if (!root || !edition) return 2;
  if (args.length > 0 || options.edition === undefined || !options['server-name'] || !options.tls) {
    io.err('mkimage: serve-config wants --edition, --server-name and --tls (hint: mkimage serve-config --edition production --root /srv/mkimage --server-name repo.example.org --tls /etc/mkimage/tls)');
    return 2;
  }
  const tls = resolve(io.cwd, options.tls);
  const files = { serverCert: join(tls, 'server.crt'), serverKey: join(tls, 'server.key'), serverCa: join(tls, 'ca.crt'), clientCa: join(tls, `clients-${edition}-ca.crt`) };
  const missing = Object.values(files).find((f) => !existsSync(f));
  if (missing) {
    io.err(`mkimage: ${missing}: no such file (hint: --tls DIR holds server.crt, server.key, ca.crt and clients-${edition}-ca.crt)`);
    return 2;
  }
  const distros = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, edition))).sort() : [];
  const unserved = unservedEdition(root, edition);
  if (unserved) {
    printDiagnostic(io, unserved);
    return 2;
  }
  const out = resolve(io.cwd, options.out ?? `serve-${edition}`);
  mkdirSync(join(out, 'host/keyrings'), { recursive: true });
  const serve = { root, edition, serverName: options['server-name'], listen: options.listen ?? '443', ...files };
  writeFileSync(join(out, `mkimage-${edition}.conf`), nginxServer(serve));
  copyFileSync(files.serverCa, join(out, 'host/ca.crt'));
  writeFileSync(join(out, 'host/apt.conf'), aptTlsConf(serve, { ca: `${HOST_DIR}/ca.crt`, cert: `${HOST_DIR}/client.crt`, key: `${HOST_DIR}/client.key` }));
  const lines: string[] = [];
  for (const distro of distros) {
    const current = await new Edition(root, distro, edition).current();
    if (current) copyFileSync(join(root, distro, edition, 'current', SIGNING_KEY), join(out, 'host/keyrings', `${distro}.asc`));
    lines.push(`# ${distro} ${edition}${current ? '' : ' (no release yet)'}`, aptSourceLine(serve, distro, `${HOST_DIR}/keyrings/${distro}.asc`));
  }
  writeFileSync(join(out, 'host/sources.list'), `${lines.join('\n')}\n`);
  io.out(`wrote ${out}: mkimage-${edition}.conf (for nginx's conf.d), host/ (to ${HOST_DIR} on each ${edition} host, with its client.crt and client.key from the ${edition} CA; apt.conf to /etc/apt/apt.conf.d/, sources.list to /etc/apt/sources.list.d/mkimage.list)`);
  return 0;
}
