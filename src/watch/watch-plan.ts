// What one build asks watch mode to watch: the profile's code and data, and every declared
// input of the build's targets (globs expanded, and their directories, so that a new file
// matching a glob is seen; trees whole, so that a new empty directory or a chmod is seen);
// and what it never watches, the build's own outputs. Answers,
// for a changed path, whether it matters and to which targets.

import { statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';
import type { TargetId } from '../core/ids.ts';
import type { TargetSpec } from '../core/target.ts';

export interface WatchPlanInput {
  /** The project root: declared inputs are relative to it, and paths are shown relative to it. */
  readonly root: string;
  /** The Targetfile and every local module the profile imported. */
  readonly modules: readonly string[];
  /** Directories of profile code and data (conf.d/, features/), watched whole. */
  readonly profileDirs: readonly string[];
  /** The targets of the build (the goals and what they need). */
  readonly targets: readonly TargetSpec[];
  /** Where builds write (the out dir, the store): nothing under them is ever watched. */
  readonly ignored: readonly string[];
}

/** A glob input, watched as the directory its fixed prefix names. */
export interface GlobInput {
  readonly pattern: string;
  /** The directory of the pattern's fixed prefix (`b` of `b/*.txt`). */
  readonly base: string;
  /** Whether matches may lie below base's direct children (`**`, or a pattern in a sub-path). */
  readonly deep: boolean;
}

export interface TargetInputs {
  /** Literal input files and the current matches of the globs, absolute. */
  readonly files: ReadonlySet<string>;
  readonly globs: readonly GlobInput[];
  /** Input trees, absolute: anything below them is this target's. */
  readonly trees: readonly string[];
  /** Targets of the build that need this one directly. */
  readonly dependents: readonly TargetId[];
}

/** What a changed path touches. */
export interface Touch {
  /** Profile code or data: any target, even the graph, may change. */
  readonly profile: boolean;
  /** The targets that declared the path as an input (by name or by a glob). */
  readonly targets: readonly TargetId[];
}

export type PathChange = 'add' | 'change' | 'unlink' | 'addDir' | 'unlinkDir';

export class WatchPlan {
  private readonly globs: readonly GlobInput[];
  private readonly trees: readonly string[];
  private readonly inputFiles: ReadonlySet<string>;
  private readonly rootPaths: readonly string[];
  /** Directories watched for new files: profile dirs and glob bases, none inside another watched whole. */
  private readonly dirs: ReadonlySet<string>;

  private constructor(
    readonly root: string,
    private readonly modules: ReadonlySet<string>,
    private readonly profileDirs: readonly string[],
    readonly targets: ReadonlyMap<TargetId, TargetInputs>,
    private readonly ignored: readonly string[],
  ) {
    this.globs = [...targets.values()].flatMap((t) => t.globs);
    this.trees = [...new Set([...targets.values()].flatMap((t) => t.trees))];
    this.inputFiles = new Set([...targets.values()].flatMap((t) => [...t.files]));
    // No path inside another that is watched whole.
    const deep = [...profileDirs, ...this.globs.filter((g) => g.deep).map((g) => g.base), ...this.trees];
    const own = (p: string) => !this.isIgnored(p) && !deep.some((d) => d !== p && inside(p, d));
    this.dirs = new Set([...profileDirs, ...this.globs.map((g) => g.base), ...this.trees].filter(own));
    this.rootPaths = [...new Set([...modules, ...this.inputFiles, ...this.dirs])].filter(own).sort();
  }

  static of(input: WatchPlanInput): WatchPlan {
    const root = resolve(input.root);
    const inBuild = new Set(input.targets.map((t) => t.id));
    const dependents = new Map<TargetId, TargetId[]>();
    for (const t of input.targets) {
      for (const d of t.deps) if (inBuild.has(d.id)) dependents.set(d.id, [...(dependents.get(d.id) ?? []), t.id]);
    }
    const targets = new Map<TargetId, TargetInputs>();
    for (const t of input.targets) {
      const files = new Set<string>();
      const globs: GlobInput[] = [];
      for (const pattern of t.inputs.files) {
        if (isDynamicPattern(pattern)) {
          globs.push(globInput(root, pattern));
          for (const f of expand(root, pattern)) files.add(f);
        } else {
          files.add(resolve(root, pattern));
        }
      }
      targets.set(t.id, { files, globs, trees: t.inputs.trees.map((d) => resolve(root, d)), dependents: dependents.get(t.id) ?? [] });
    }
    return new WatchPlan(
      root,
      new Set(input.modules.map((m) => resolve(root, m))),
      input.profileDirs.map((d) => resolve(root, d)),
      targets,
      input.ignored.map((d) => resolve(root, d)),
    );
  }

  /** The same plan, with a profile file added: a broken module is watched until it is fixed. */
  withModule(file: string): WatchPlan {
    if (this.modules.has(file)) return this;
    return new WatchPlan(this.root, new Set([...this.modules, file]), this.profileDirs, this.targets, this.ignored);
  }

  /** The paths to hand to the file watcher. */
  roots(): readonly string[] {
    return this.rootPaths;
  }

  /** For the status line: files named or matched, and directories watched for new matches. */
  counts(): { files: number; dirs: number } {
    return { files: new Set([...this.modules, ...this.inputFiles]).size, dirs: this.dirs.size };
  }

  /**
   * What the file watcher skips: everything under the out dir and the store, and what lies
   * outside every watched area (a shallow glob's base watches its direct children only).
   * Ancestors of watched paths are kept, so that a path that does not exist yet is seen when
   * it appears.
   */
  ignores(path: string): boolean {
    if (this.isIgnored(path)) return true;
    if (this.modules.has(path) || this.profileDirs.some((d) => inside(path, d))) return false;
    if (this.inputFiles.has(path) || this.globs.some((g) => inArea(path, g)) || this.trees.some((d) => inside(path, d))) return false;
    return !this.rootPaths.some((r) => inside(r, path));
  }

  /**
   * Whether a change of `path` matters, and to what; undefined when it does not. A path in
   * conf.d/ or features/ that a target declared as an input (a hook, anything in an overlay's
   * rootfs/ tree) is that target's input; the rest there (modules, package lists, new
   * folders) is the profile.
   */
  touches(path: string, change: PathChange): Touch | undefined {
    if (this.isIgnored(path)) return undefined;
    const dir = change === 'addDir' || change === 'unlinkDir';
    const targets: TargetId[] = [];
    for (const [id, t] of this.targets) {
      if (t.trees.some((d) => inside(path, d))) targets.push(id);
      else if (dir) continue;
      else if (t.files.has(path)) targets.push(id);
      // A file the build did not know: does a glob match it now?
      else if (change !== 'unlink' && t.globs.some((g) => inArea(path, g) && expand(this.root, g.pattern).includes(path))) targets.push(id);
    }
    const profile = this.modules.has(path) || (this.profileDirs.some((d) => inside(path, d)) && targets.length === 0);
    return profile || targets.length > 0 ? { profile, targets } : undefined;
  }

  /** A path as people read it: relative to the project root when inside it. */
  display(path: string): string {
    const rel = relative(this.root, path);
    return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
  }

  private isIgnored(path: string): boolean {
    return this.ignored.some((d) => inside(path, d));
  }
}

/** `path` is `dir` or lies below it. */
const inside = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);

const inArea = (path: string, g: GlobInput) => (g.deep ? inside(path, g.base) : path === g.base || dirname(path) === g.base);

function globInput(root: string, pattern: string): GlobInput {
  const parts = pattern.split('/');
  const fixed: string[] = [];
  while (parts.length > 1 && !isDynamicPattern(parts[0]!)) fixed.push(parts.shift()!);
  const base = resolve(root, fixed.join('/') || (pattern.startsWith('/') ? '/' : '.'));
  return { pattern, base, deep: parts.length > 1 || parts[0]!.includes('**') };
}

function expand(root: string, pattern: string): string[] {
  try {
    return globSync(pattern, { cwd: root, absolute: true, onlyFiles: true, dot: true }).map((p) => resolve(p));
  } catch {
    return [];
  }
}

/** For callers that want to watch a directory only if it is there. */
export const isDirectory = (path: string) => statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
