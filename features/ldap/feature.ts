import { add, feature, mixin, setting } from 'mkimage';

export default feature({
  description: 'OpenLDAP directory server (slapd) with a configured suffix',
  reads: ['LDAP_DOMAIN', 'LDAP_ORGANIZATION'],
  settings: [
    setting({ name: 'LDAP_DOMAIN', type: 'string', default: 'example.org', help: 'DNS domain the directory suffix is made from (dc=example,dc=org)' }),
    setting({ name: 'LDAP_ORGANIZATION', type: 'string', default: 'Example', help: 'organisation name of the directory' }),
  ],
  mixins: [mixin('use/ldap/server', { description: 'slapd and ldap-utils, suffix from LDAP_DOMAIN', hooks: ['50-slapd'] }, add('PACKAGES', 'slapd', 'ldap-utils'))],
});
