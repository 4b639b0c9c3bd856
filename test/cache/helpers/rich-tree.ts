// A tree with every file type and attribute a root filesystem has: setuid/setgid/sticky
// modes, owners, capabilities, ACLs, user and trusted xattrs, hardlinks, symlinks (one
// dangling), devices, a fifo, a socket, and mtimes with nanoseconds.

import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lchownSync, linkSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setAttributeSync } from 'fs-xattr';

export function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  return dirs.map((d) => join(d, name)).find((p) => existsSync(p));
}

/** A POSIX ACL in the kernel's xattr format (what setfacl writes): version 2, then entries. */
function aclXattr(entries: [tag: number, perm: number, id?: number][]): Buffer {
  const buf = Buffer.alloc(4 + entries.length * 8);
  buf.writeUInt32LE(2, 0);
  entries.forEach(([tag, perm, id], i) => {
    buf.writeUInt16LE(tag, 4 + i * 8);
    buf.writeUInt16LE(perm, 6 + i * 8);
    buf.writeUInt32LE(id ?? 0xffffffff, 8 + i * 8);
  });
  return buf;
}
const [USER_OBJ, USER, GROUP_OBJ, MASK, OTHER] = [0x01, 0x02, 0x04, 0x10, 0x20];

/** Every type and attribute a root filesystem has. */
export async function buildRichTree(dir: string, log: (message: string) => void): Promise<void> {
  const p = (rel: string) => join(dir, rel);
  mkdirSync(p('usr/bin'), { recursive: true });
  mkdirSync(p('dev'));
  mkdirSync(p('tmp'));
  mkdirSync(p('srv/shared'), { recursive: true });
  mkdirSync(p('run'));
  writeFileSync(p('usr/bin/ping'), 'ELF pretend\n'.repeat(100));
  writeFileSync(p('usr/bin/sudo'), 'setuid root\n');
  writeFileSync(p('usr/bin/wall'), 'setgid tty\n');
  writeFileSync(p('srv/shared/doc'), 'acl\n');
  writeFileSync(p('empty'), '');
  writeFileSync(p('usr/bin/python3.11'), 'interpreter');
  linkSync(p('usr/bin/python3.11'), p('usr/bin/python3'));
  linkSync(p('usr/bin/python3.11'), p('python-too'));
  symlinkSync('python3', p('usr/bin/python'));
  symlinkSync('/nonexistent/absolute', p('dangling'));
  execFileSync('mknod', [p('dev/null'), 'c', '1', '3']);
  execFileSync('mknod', [p('dev/loop0'), 'b', '7', '0']);
  execFileSync('mkfifo', [p('run/initctl')]);
  // Node removes a socket it created when the server closes; moved away first, it stays.
  const sockTmp = join(dir, '..', 'sock-tmp');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(sockTmp, resolve));
  renameSync(sockTmp, p('run/socket'));
  await new Promise<void>((resolve) => server.close(() => resolve()));

  // Owners first: chown clears setuid/setgid and file capabilities.
  chownSync(p('srv/shared'), 1001, 1002);
  chownSync(p('srv/shared/doc'), 1001, 1002);
  chownSync(p('usr/bin/wall'), 0, 5);
  lchownSync(p('usr/bin/python'), 1003, 1004);
  chownSync(p('run/initctl'), 42, 43);
  chmodSync(p('usr/bin/sudo'), 0o4755);
  chmodSync(p('usr/bin/wall'), 0o2755);
  chmodSync(p('tmp'), 0o1777);
  chmodSync(p('srv/shared'), 0o2770);
  chmodSync(p('usr/bin/ping'), 0o755);

  const setcap = findTool('setcap');
  const setfattr = findTool('setfattr');
  if (setcap) execFileSync(setcap, ['cap_net_raw+ep', p('usr/bin/ping')]);
  else if (setfattr) execFileSync(setfattr, ['-n', 'security.capability', '-v', '0x0100000200200000000000000000000000000000', p('usr/bin/ping')]);
  else log('neither setcap (libcap2-bin) nor setfattr (attr): no security.capability in the tree');

  const setfacl = findTool('setfacl');
  if (setfacl) {
    execFileSync(setfacl, ['-m', 'u:1234:rw', p('srv/shared/doc')]);
    execFileSync(setfacl, ['-d', '-m', 'u:1234:rwx', p('srv/shared')]);
  } else {
    // What setfacl would write, set directly: the kernel stores and checks it the same way.
    log('setfacl (acl) missing: ACLs written as raw system.posix_acl_* xattrs');
    setAttributeSync(p('srv/shared/doc'), 'system.posix_acl_access', aclXattr([[USER_OBJ, 6], [USER, 6, 1234], [GROUP_OBJ, 4], [MASK, 6], [OTHER, 0]]));
    setAttributeSync(p('srv/shared'), 'system.posix_acl_default', aclXattr([[USER_OBJ, 7], [USER, 7, 1234], [GROUP_OBJ, 7], [MASK, 7], [OTHER, 0]]));
  }
  setAttributeSync(p('usr/bin/ping'), 'user.mkimage.origin', 'iputils');
  setAttributeSync(p('srv/shared'), 'trusted.mkimage.note', Buffer.from([0, 1, 2, 255]));

  // mtimes last, children before parents (creating an entry changes its dir's mtime).
  const stamp = (rel: string, ns: string) => execFileSync('touch', ['-h', '-d', `@${ns}`, p(rel)]);
  let n = 0;
  for (const rel of ['usr/bin/ping', 'usr/bin/python', 'dangling', 'dev/null', 'dev/loop0', 'run/initctl', 'run/socket', 'usr/bin/python3.11', 'empty', 'srv/shared/doc', 'usr/bin/sudo', 'usr/bin/wall']) {
    stamp(rel, `1700000000.${String(123456789 + n++ * 1111).padStart(9, '0')}`);
  }
  for (const rel of ['usr/bin', 'srv/shared', 'usr', 'dev', 'tmp', 'srv', 'run', '.']) stamp(rel, `1600000000.${String(987654321 - n++).padStart(9, '0')}`);
}

