// What `ls` and `diff` look at, named the ways a person has at hand: an image or target of the
// project (its last build, from the state), a store entry's digest (or a unique prefix of
// one), an image file in an out/ dir or its `.manifest.json`, or an out/ dir. Each becomes
// the image's root tree in a store (and its packages, when it is a Debian root).

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fail, ok, type Result } from '../core/diagnostic.ts';
import { isDigest, type Digest, type TargetId } from '../core/ids.ts';
import { parseState } from '../core/state.ts';
import { StoreError } from '../cache/errors.ts';
import { LocalStore, type StoredManifest } from '../cache/local-store.ts';
import { installedPackages, type ImageManifest, type InstalledPackage } from '../image/manifest.ts';
import { ROOT_STAGES } from '../image/pipeline.ts';
import { prepare, stateKey } from './build-cycle.ts';
import type { Io } from './io.ts';
import type { Options } from './options.ts';

export interface BuildRef {
  /** How the person named it, for headings. */
  readonly label: string;
  readonly digest: Digest;
  readonly tree: StoredManifest;
  /** Where the tree is, to read files of it (dpkg's status). */
  readonly treePath: string;
  /** From the image's manifest, else from the tree's dpkg status (empty for a root without dpkg). */
  readonly packages: readonly InstalledPackage[];
}

/** The stores a command has opened, to be disposed together. */
export class Stores {
  readonly #open = new Map<string, Promise<LocalStore>>();

  get(root: string): Promise<LocalStore> {
    let s = this.#open.get(root);
    if (!s) this.#open.set(root, (s = LocalStore.open(root)));
    return s;
  }

  async dispose(): Promise<void> {
    // A store that failed to open has nothing to dispose.
    await Promise.allSettled([...this.#open.values()].map(async (s) => (await s).dispose()));
  }
}

/**
 * A path when it looks like one (has a `/`, or names a manifest); else the project's target or
 * image of that name; else a store digest or a unique prefix of one; else a file or out/ dir
 * of that name in the working directory.
 */
export async function resolveBuildRef(operand: string, options: Options, io: Io, stores: Stores, storeRoot: string): Promise<Result<BuildRef>> {
  try {
    const path = resolve(io.cwd, operand);
    if (operand.includes('/') || operand.endsWith('.manifest.json')) return await fromPath(operand, path, stores, storeRoot);
    const store = await stores.get(storeRoot);
    const named = await fromProject(operand, options, io, store);
    if (named.ok || named.error.message.includes('has not been built')) return named;
    if (/^(sha256:)?[0-9a-f]{8,64}$/.test(operand)) return await fromDigest(operand, operand.replace(/^sha256:/, ''), store);
    if (existsSync(path)) return await fromPath(operand, path, stores, storeRoot);
    return named;
  } catch (err) {
    // A store another mkimage made incompatible, or one that cannot be read: one line.
    if (err instanceof StoreError) return fail({ message: `${operand}: ${err.message}` });
    throw err;
  }
}

function fromPath(label: string, path: string, stores: Stores, storeRoot: string): Promise<Result<BuildRef>> {
  if (!existsSync(path)) return Promise.resolve(fail({ message: `${label}: no such file or directory` }));
  if (statSync(path).isDirectory()) return fromOutDir(label, path, stores, storeRoot);
  return fromManifest(label, path.endsWith('.manifest.json') ? path : `${path}.manifest.json`, stores, storeRoot);
}

async function fromManifest(label: string, path: string, stores: Stores, storeRoot: string): Promise<Result<BuildRef>> {
  let m: Partial<ImageManifest> & { store?: string };
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as typeof m;
  } catch {
    return fail({ message: `${label}: no image manifest at ${path}`, hint: 'name an image in out/, its .manifest.json, a target or a store digest' });
  }
  const root = m.root ?? m.stages?.find((s) => s.stage === 'cleanup')?.digest;
  if (!root || !isDigest(root)) return fail({ message: `${path}: the manifest names no root (built before mkimage recorded one)`, hint: 'build the image again' });
  // The store the manifest names, when it is one here and has the root; else ours (a
  // reproducible build has the same root in any store).
  const own = m.store && existsSync(join(m.store, 'VERSION')) && existsSync(join(m.store, 'trees')) ? await stores.get(m.store) : undefined;
  const store = own?.has(root) ? own : await stores.get(storeRoot);
  const found = await entry(label, root, store);
  if (!found.ok) return found;
  return ok({ ...found.value, packages: m.packages ?? found.value.packages });
}

/** An out/ dir with one image manifest in it. */
function fromOutDir(label: string, dir: string, stores: Stores, storeRoot: string): Promise<Result<BuildRef>> {
  const manifests = readdirSync(dir).filter((n) => n.endsWith('.manifest.json')).sort();
  if (manifests.length !== 1) {
    const which = manifests.map((n) => join(label, n.replace(/\.manifest\.json$/, ''))).join(', ');
    return Promise.resolve(fail({ message: `${label} holds ${manifests.length === 0 ? 'no image' : `${manifests.length} images`}`, hint: manifests.length ? `name one: ${which}` : 'name an out/ dir that mkimage wrote' }));
  }
  return fromManifest(label, join(dir, manifests[0]!), stores, storeRoot);
}

async function fromDigest(label: string, prefix: string, store: LocalStore): Promise<Result<BuildRef>> {
  if (isDigest(prefix)) return entry(label, prefix, store);
  const matches = (await store.list()).filter((e) => e.digest.startsWith(prefix));
  if (matches.length !== 1) return fail({ message: `${label}: ${matches.length === 0 ? 'no' : `${matches.length}`} store entries start with it`, hint: 'mkimage cache ls lists them' });
  return entry(label, matches[0]!.digest, store);
}

/** An image (its root: the cleanup stage) or a target of the project, as its last build left it. */
async function fromProject(label: string, options: Options, io: Io, store: LocalStore): Promise<Result<BuildRef>> {
  const built = await lastBuilt(label, undefined, options, io, store);
  return built.ok ? entry(label, built.value, store) : built;
}

/**
 * What the last build in `store` made of a target of the project, or of a stage of an image
 * (the cleanup stage, its finished root, when none is named).
 */
export async function lastBuilt(name: string, stage: string | undefined, options: Options, io: Io, store: LocalStore): Promise<Result<Digest>> {
  const prepared = await prepare({ goals: [name], options, io, jobs: 1, signal: new AbortController().signal, lockMode: 'read' }, () => undefined);
  if (!prepared.ok) return prepared;
  const image = prepared.value.images?.goals[0];
  let id: TargetId = prepared.value.goals[0]!;
  if (image) {
    const stages = image.stages.filter(([s]) => (ROOT_STAGES as readonly string[]).includes(s));
    const found = stages.find(([s]) => s === (stage ?? 'cleanup'));
    if (!found) return fail({ message: `${name} has no stage ${stage}`, hint: `its roots: ${stages.map(([s]) => `${name}:${s}`).join(', ')}` });
    id = found[1];
  } else if (stage !== undefined) {
    return fail({ message: `${name} is no image: it has no stages`, hint: `mkimage shell DISTRO[.TYPE][:STAGE]` });
  }
  const state = parseState(store.readState(stateKey(prepared.value.loaded)));
  const digest = state.targets[id]?.digest;
  if (!digest || !isDigest(digest) || !store.has(digest)) return fail({ message: `${name}${stage ? `:${stage}` : ''} has not been built with the store ${store.root}`, hint: `mkimage ${name}` });
  return ok(digest);
}

async function entry(label: string, digest: Digest, store: LocalStore): Promise<Result<BuildRef>> {
  if (!store.has(digest)) return fail({ message: `${label}: entry ${digest.slice(0, 16)} is not in the store ${store.root} (evicted, or another store)`, hint: 'build it again' });
  const treePath = store.treePath(digest);
  return ok({ label, digest, tree: await store.manifest(digest), treePath, packages: installedPackages(treePath) });
}
