// What the image does on its first boot to become one machine among many: cleanup removes the
// ssh host keys (every machine booting the image would share them), so a unit makes new ones
// before ssh starts.

import { lstat, mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { replaceFile } from './replace-file.ts';

export const SSH_KEYGEN_UNIT_NAME = 'ssh-host-keys.service';

export const SSH_KEYGEN_UNIT = `# Written by mkimage: the image has no ssh host keys, each machine makes its own.
[Unit]
Description=Generate the SSH host keys of this machine
Before=ssh.service ssh.socket
ConditionPathExistsGlob=!/etc/ssh/ssh_host_*_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=ssh.service ssh.socket
`;

/** Installs and enables the unit when the image has an ssh server (else does nothing). */
export async function regenerateSshKeysAtBoot(root: string): Promise<void> {
  if (!(await exists(join(root, 'usr/sbin/sshd')))) return;
  const units = join(root, 'etc/systemd/system');
  await mkdir(units, { recursive: true });
  await replaceFile(join(units, SSH_KEYGEN_UNIT_NAME), SSH_KEYGEN_UNIT);
  // What `systemctl enable` would do for WantedBy=, without running systemctl.
  for (const wanting of ['ssh.service', 'ssh.socket']) {
    const wants = join(units, `${wanting}.wants`);
    await mkdir(wants, { recursive: true });
    const link = join(wants, SSH_KEYGEN_UNIT_NAME);
    if (!(await exists(link))) await symlink(`/etc/systemd/system/${SSH_KEYGEN_UNIT_NAME}`, link);
  }
}

async function exists(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined)) !== undefined;
}
