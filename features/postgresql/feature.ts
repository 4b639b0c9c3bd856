import { add, feature, mixin, setting } from 'mkimage';

export default feature({
  description: 'PostgreSQL database server',
  reads: ['PG_LISTEN'],
  settings: [
    setting({ name: 'PG_LISTEN', type: 'string', default: '*', help: 'listen_addresses of the server' }),
  ],
  mixins: [mixin('use/postgresql', { description: 'PostgreSQL (Debian default version), listening on PG_LISTEN', hooks: ['50-postgresql'] }, add('PACKAGES', 'postgresql'))],
});
