// An archive signing key of the test's own (ed25519, in a GNUPGHOME of its own): what a test
// mirror signs its InRelease with, and the keyring file gpgv checks it against; what a test
// publishes releases with.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ArchiveKey {
  /** The public key, as a keyring file gpgv reads. */
  readonly keyring: string;
  /** The GNUPGHOME holding the secret key, and the user id that names it (`--sign-key`). */
  readonly home: string;
  readonly uid: string;
  /** A clearsigned InRelease of this text. */
  sign(release: string): string;
  dispose(): void;
}

export function makeArchiveKey(name = 'mkimage-test'): ArchiveKey {
  const dir = mkdtempSync(join(tmpdir(), 'mkimage-gpg-'));
  const home = join(dir, 'home');
  mkdirSync(home, { mode: 0o700 });
  const gpg = (...args: string[]) => execFileSync('gpg', ['--homedir', home, '--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  gpg('--quick-gen-key', `${name} <${name}@test.invalid>`, 'ed25519', 'sign', 'never');
  const keyring = join(dir, 'keyring.gpg');
  writeFileSync(keyring, gpg('--export'));
  let n = 0;
  return {
    keyring,
    home,
    uid: `${name}@test.invalid`,
    sign(release) {
      const input = join(dir, `release-${++n}`);
      writeFileSync(input, release);
      gpg('--clearsign', '--output', `${input}.asc`, input);
      return readFileSync(`${input}.asc`, 'utf8');
    },
    dispose: () => {
      // The agent gpg started for the home goes with it.
      execFileSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent'], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
