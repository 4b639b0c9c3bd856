// The nginx server block of an edition: only client certificates of its CA, only its own
// releases (no other edition, no temporary or lock files); the host's apt files.

import test from 'ava';
import { aptSourceLine, aptTlsConf, nginxServer } from '../../src/publish/serve-config.ts';

const SERVE = { root: '/srv/mkimage/', edition: 'production', serverName: 'repo.example.org:8443', listen: '8443', serverCert: '/etc/tls/server.crt', serverKey: '/etc/tls/server.key', clientCa: '/etc/tls/clients-production-ca.crt' };

test("an edition's server takes only its CA's client certificates and serves its own releases", (t) => {
  const conf = nginxServer(SERVE);
  for (const line of ['listen 8443 ssl;', 'server_name repo.example.org;', 'ssl_client_certificate /etc/tls/clients-production-ca.crt;', 'ssl_verify_client on;', 'alias /srv/mkimage/$distro/production/$rest;', 'return 404;']) t.true(conf.includes(line), line);
  const pattern = /location ~ "(.*)" \{/.exec(conf)![1]!;
  const served = new RegExp(pattern);
  for (const path of ['/ldap-server/current/repo/InRelease', '/ldap-server/current/images/ldap-server.iso', '/ldap-server/releases/20261203-1a2b3c4d5e6f/SHA256SUMS', '/ldap-server/current/']) t.true(served.test(path), path);
  for (const path of ['/ldap-server/testing/current/SHA256SUMS', '/ldap-server/.locks/edition.lock', '/ldap-server/releases/.tmp-1-2-3/images/x.iso', '/ldap-server/current/../testing/x', '/ldap-server/releases/', '/']) t.false(served.test(path), path);
});

test("a host's apt source is signed-by the release key, over https with its client certificate", (t) => {
  t.is(aptSourceLine(SERVE, 'ldap-server', '/etc/mkimage/keyrings/ldap-server.asc'), 'deb [signed-by=/etc/mkimage/keyrings/ldap-server.asc] https://repo.example.org:8443/ldap-server/current/repo ./');
  t.is(aptTlsConf(SERVE, { ca: '/etc/mkimage/ca.crt', cert: '/etc/mkimage/client.crt', key: '/etc/mkimage/client.key' }), 'Acquire::https::repo.example.org {\n  CaInfo "/etc/mkimage/ca.crt";\n  SslCert "/etc/mkimage/client.crt";\n  SslKey "/etc/mkimage/client.key";\n  Verify-Peer "true";\n};\n');
});
