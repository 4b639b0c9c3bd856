import { feature, mixin, set, setting } from 'mkimage';

export default feature({
  description: 'root access: password and ssh keys',
  reads: ['ROOT_SSH_KEYS'],
  settings: [
    setting({ name: 'ROOT_SSH_KEYS', type: 'list', default: [], help: "public keys put in root's authorized_keys" }),
  ],
  mixins: [
    mixin('use/users/root', { description: "root's authorized ssh keys from ROOT_SSH_KEYS", hooks: ['30-root-keys'] }),
    mixin('use/users/root/locked', { description: 'no root password: console login impossible', needs: ['use/users/root'] }, set('ROOT_PASSWORD', '')),
  ],
});
