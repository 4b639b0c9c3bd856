// Writing a file of the image root whole: a new file with the mode given, owned by root, so
// nothing of what was there (a copy of the build host's file, with the host's mode) survives.

import { chmod, chown, rm, writeFile } from 'node:fs/promises';

export async function replaceFile(path: string, text: string, mode = 0o644): Promise<void> {
  await rm(path, { force: true });
  await writeFile(path, text, { mode });
  // The umask may have taken bits off.
  await chmod(path, mode);
  await chown(path, 0, 0);
}
