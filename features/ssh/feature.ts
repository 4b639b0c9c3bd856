import { add, feature, mixin, set, setting } from 'mkimage';

export default feature({
  description: 'OpenSSH server; host keys are made at first boot, never shipped',
  reads: ['SSH_ROOT_LOGIN'],
  settings: [
    setting({ name: 'SSH_ROOT_LOGIN', type: 'enum', choices: ['yes', 'no', 'prohibit-password'], default: 'prohibit-password', help: 'sshd PermitRootLogin' }),
  ],
  mixins: [
    mixin('use/ssh', { description: 'sshd, enabled, host keys generated at first boot', needs: ['use/net/dhcp'], hooks: ['20-ssh'] }, add('BASE_PACKAGES', 'openssh-server')),
    mixin('use/ssh/root-password', { description: 'root may log in over ssh with a password', needs: ['use/ssh'] }, set('SSH_ROOT_LOGIN', 'yes')),
  ],
});
