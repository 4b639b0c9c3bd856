// A live rescue system: disk, file-system and network tools, reachable over ssh.
import { distro, set } from 'mkimage';
import { live } from './base.ts';

export const rescue = distro('rescue', {
  description: 'live rescue system: partitioning, file systems, RAID/LVM/LUKS, network tools',
  needs: [live, 'use/net/dhcp', 'use/ssh', 'use/users/root', 'use/rescue'],
}, set('HOSTNAME', 'rescue'));
