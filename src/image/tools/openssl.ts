// openssl, for the cleanup stage: the root password's hash.

import type { Tool } from './tool.ts';

export const OPENSSL: Tool = { file: 'openssl', version: ['version'], package: 'openssl' };

/** sha512-crypt with a salt from the config (chpasswd would pick a random one). */
export function opensslPasswdArgs(salt: string): string[] {
  return ['passwd', '-6', '-salt', salt, '-stdin'];
}
