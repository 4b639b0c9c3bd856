// gpg, as a release uses it: detached armored signatures (SHA256SUMS.asc, repo/Release.gpg),
// the clearsigned InRelease apt prefers, the public key hosts import, and verification with
// the status lines gpg writes for programs (--status-fd), not its human wording. The keyring
// is the caller's (GNUPGHOME); the key is the one the user names.

import { fail, ok, type Result } from '../core/diagnostic.ts';
import { run } from '../proc/run.ts';
import { HOST_PATH } from '../image/tools/tool.ts';

export interface Signer {
  /** A key id, fingerprint or user id gpg knows a secret key for. */
  readonly key: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal: AbortSignal;
}

async function gpg(args: readonly string[], s: Pick<Signer, 'env' | 'signal'>): Promise<Result<string>> {
  let out = '';
  let err = '';
  try {
    await run('gpg', ['--batch', '--no-tty', '--yes', ...args], {
      cwd: '/',
      env: { PATH: HOST_PATH, ...(s.env.GNUPGHOME && { GNUPGHOME: s.env.GNUPGHOME }), ...(s.env.HOME && { HOME: s.env.HOME }) },
      signal: s.signal,
      output: (stream, text) => (stream === 'stdout' ? (out += text) : (err += text)),
    });
    return ok(out);
  } catch (e) {
    if (s.signal.aborted) throw e;
    const why = err.split('\n').map((l) => l.replace(/^gpg: /, '').trim()).filter((l) => l && !l.startsWith('[GNUPG:]')).at(-1) ?? (e instanceof Error ? e.message : String(e));
    return fail({ message: `gpg ${args.filter((a) => !a.startsWith('-')).slice(0, 1).join('')}${why ? `: ${why}` : ''}` });
  }
}

/** The fingerprint of the secret key `key` names; an error when gpg has none. */
export async function signingKey(s: Signer): Promise<Result<string>> {
  const listed = await gpg(['--with-colons', '--list-secret-keys', s.key], s);
  const fpr = listed.ok ? /^fpr:(?::*)([0-9A-F]{40,64}):/m.exec(listed.value)?.[1] : undefined;
  if (!fpr) return fail({ message: `no secret key ${s.key} in the gpg keyring${s.env.GNUPGHOME ? ` ${s.env.GNUPGHOME}` : ''}`, hint: 'gpg --list-secret-keys shows the keys you can sign with' });
  return ok(fpr);
}

export const detachSign = (file: string, to: string, s: Signer) => gpg(['--local-user', s.key, '--armor', '--detach-sign', '--output', to, file], s);
export const clearSign = (file: string, to: string, s: Signer) => gpg(['--local-user', s.key, '--clearsign', '--output', to, file], s);
export const exportKey = (s: Signer) => gpg(['--armor', '--export', s.key], s);

/**
 * Whether `signature` is a good signature of `file` (or, without a file, a good clearsigned
 * file) by a key of the keyring (GNUPGHOME) or of `keyring` (a file of public keys, as a host
 * would have). The fingerprint that signed it.
 */
export async function verifySignature(signature: string, file: string | undefined, s: Pick<Signer, 'env' | 'signal'>, keyring?: string): Promise<Result<string>> {
  const r = await gpg(['--status-fd', '1', ...(keyring ? ['--no-default-keyring', '--keyring', keyring] : []), '--verify', signature, ...(file ? [file] : [])], s);
  const said = r.ok ? r.value : '';
  // VALIDSIG's last field is the primary key's fingerprint (the first is the signing subkey's).
  const valid = /^\[GNUPG:\] VALIDSIG .* ([0-9A-F]{40,64})$/m.exec(said)?.[1];
  if (r.ok && valid && /^\[GNUPG:\] GOODSIG /m.test(said)) return ok(valid);
  return fail({ message: `${signature} does not verify${file ? ` ${file}` : ''}${r.ok ? '' : `: ${r.error.message.replace(/^gpg \w*: ?/, '')}`}` });
}
