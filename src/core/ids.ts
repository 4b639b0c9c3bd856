// Branded identifier strings of the engine. Every TargetId, Fingerprint and Digest is made
// here, so a plain string can never be passed where one of them is meant.

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** The name of a target in the graph, as the user wrote it (`hello`, `server-mini.iso`). */
export type TargetId = Brand<string, 'TargetId'>;
/** sha256 (hex) of a target's canonical fingerprint record: the key of the action cache. */
export type Fingerprint = Brand<string, 'Fingerprint'>;
/** sha256 (hex) of a normalised tree manifest: the address of an artifact in the store. */
export type Digest = Brand<string, 'Digest'>;

const HEX64 = /^[0-9a-f]{64}$/;

export const targetId = (name: string): TargetId => name as TargetId;

export function fingerprint(hex: string): Fingerprint {
  if (!HEX64.test(hex)) throw new Error(`not a fingerprint: ${hex}`);
  return hex as Fingerprint;
}

export function digest(hex: string): Digest {
  if (!HEX64.test(hex)) throw new Error(`not a digest: ${hex}`);
  return hex as Digest;
}

export const isDigest = (s: string): s is Digest => HEX64.test(s);
