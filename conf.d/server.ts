// The servers: one shared intermediate, then one distro per kind of server.
import { distro, set } from 'mkimage';
import { containerBase, live } from './base.ts';

export const serverBase = distro('.server-base', {
  description: 'what every server shares: network by DHCP, ssh, server tools',
  needs: [live, 'use/net/dhcp', 'use/ssh', 'use/server', 'use/users/root'],
});

export const serverMini = distro('server-mini', {
  description: 'small server live ISO: systemd, DHCP, ssh, serial console',
  needs: [serverBase, 'use/server/mini'],
}, set('HOSTNAME', 'server-mini'));

export const ldapServer = distro('ldap-server', {
  description: 'OpenLDAP directory server',
  needs: [serverBase, 'use/server/mini', 'use/ldap/server'],
}, set('HOSTNAME', 'ldap'));

export const dbServer = distro('db-server', {
  description: 'PostgreSQL database server',
  needs: [serverBase, 'use/server/mini', 'use/postgresql'],
}, set('HOSTNAME', 'db'));

export const lbServer = distro('lb-server', {
  description: 'HAProxy load balancer',
  needs: [serverBase, 'use/server/mini', 'use/haproxy'],
}, set('HOSTNAME', 'lb'));

/**
 * server-mini for containers (systemd-nspawn, Incus, Docker with systemd) and VMs booted with
 * a kernel of their own: no kernel, no initramfs, no live-boot, no bootloader; a tarball.
 */
export const serverContainer = distro('server-container', {
  description: 'small server root for containers and VMs: systemd, DHCP, ssh; no kernel or boot files',
  needs: [containerBase, 'use/net/dhcp', 'use/ssh', 'use/server/mini', 'use/users/root'],
  images: ['tar'],
}, set('HOSTNAME', 'server'));

/** server-mini that the end-to-end tests can log in to. Never ship it. */
export const serverMiniTest = distro('server-mini-test', {
  description: 'server-mini with a known root password, for boot tests',
  needs: [serverMini, 'use/testing/login'],
});
