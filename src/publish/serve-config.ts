// What serves an edition to its hosts, written for nginx (Debian's): one HTTPS server per
// edition that takes only hosts with a client certificate of that edition's CA and serves
// each distro's releases of that edition and nothing else (no other edition, no temporary or
// lock files); and what a host of the edition needs: the CA of the server, its apt source line
// (signed-by the key the releases are signed with) and the apt settings for its client
// certificate. mkimage runs no web server of its own.

export interface ServeInput {
  readonly root: string;
  readonly edition: string;
  /** `repo.example.org` or `repo.example.org:8443`: what hosts connect to. */
  readonly serverName: string;
  /** Where nginx listens (`443`, `127.0.0.1:8443`). */
  readonly listen: string;
  /** Paths on the server: its certificate and key, and the CA whose client certificates this edition takes. */
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCa: string;
}

const DISTRO = '[a-z0-9][a-z0-9.+-]*';
const RELEASE = '[0-9]{8}-[0-9a-f]{12}';

export function nginxServer(s: ServeInput): string {
  const host = s.serverName.replace(/:\d+$/, '');
  return `# mkimage serve-config --edition ${s.edition}: edition ${s.edition} of ${s.root}, written by mkimage (write it again, do not edit)
server {
    listen ${s.listen} ssl;
    server_name ${host};
    ssl_certificate ${s.serverCert};
    ssl_certificate_key ${s.serverKey};
    ssl_protocols TLSv1.2 TLSv1.3;
    # Only hosts with a client certificate of the ${s.edition} CA: a certificate of another edition's CA is refused.
    ssl_client_certificate ${s.clientCa};
    ssl_verify_client on;
    ssl_verify_depth 1;
    autoindex off;
    # DISTRO/current/... and DISTRO/releases/ID/... of this edition, nothing else.
    location ~ "^/(?<distro>${DISTRO})/(?<rest>(?:current|releases/${RELEASE})(?:/[^.][^/]*)*/?)$" {
        alias ${s.root.replace(/\/+$/, '')}/$distro/${s.edition}/$rest;
    }
    location / {
        return 404;
    }
}
`;
}

/** The host's apt source of a distro's current release of the edition. */
export const aptSourceLine = (s: Pick<ServeInput, 'serverName'>, distro: string, keyring: string): string =>
  `deb [signed-by=${keyring}] https://${s.serverName}/${distro}/current/repo ./`;

/** apt's settings for the server: trust its CA, present the host's client certificate. */
export function aptTlsConf(s: Pick<ServeInput, 'serverName'>, files: { readonly ca: string; readonly cert: string; readonly key: string }): string {
  const host = s.serverName.replace(/:\d+$/, '');
  return `Acquire::https::${host} {\n  CaInfo "${files.ca}";\n  SslCert "${files.cert}";\n  SslKey "${files.key}";\n  Verify-Peer "true";\n};\n`;
}
