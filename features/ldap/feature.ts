import { add, debianSource, feature, mixin, setting } from 'mkimage';

export default feature({
  description: 'OpenLDAP directory server (slapd) with a configured suffix, OpenLDAP 2.6 backported from trixie',
  reads: ['LDAP_DOMAIN', 'LDAP_ORGANIZATION'],
  settings: [
    setting({ name: 'LDAP_DOMAIN', type: 'string', default: 'example.org', help: 'DNS domain the directory suffix is made from (dc=example,dc=org)' }),
    setting({ name: 'LDAP_ORGANIZATION', type: 'string', default: 'Example', help: 'organisation name of the directory' }),
  ],
  packages: [
    // OpenLDAP 2.6 on bookworm: trixie's source built for the image's suite, with a patch of
    // ours, without the Perl and SQL backends (and the libraries they pull in), and what
    // needed bookworm's libldap-2.5-0 (curl) rebuilt against 2.6's libldap2.
    debianSource('openldap', {
      from: 'trixie',
      patches: ['patches/ldapsearch-banner.patch'],
      configureOptions: ['--enable-perl=no', '--enable-sql=no'],
      buildOptions: ['nocheck'],
      rebuild: 'dependents',
      jobs: 'all',
      reason: 'OpenLDAP 2.6 from trixie for ldap-server: no Perl or SQL backend.',
    }),
  ],
  mixins: [mixin('use/ldap/server', { description: 'slapd and ldap-utils (OpenLDAP 2.6), suffix from LDAP_DOMAIN', hooks: ['50-slapd'] }, add('PACKAGES', 'slapd', 'ldap-utils'))],
});
