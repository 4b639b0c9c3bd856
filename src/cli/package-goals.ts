// `mkimage package/NAME`: a package build as a goal, its flat repository copied to
// out/package/NAME/. A build is made for the images that take it (their suite and mirror,
// and the dependents their packages decide), so the goal is planned beside one locked image
// that takes it, whose own stages are planned but not built.

import { fail, ok, type Result } from '../core/diagnostic.ts';
import { closest } from '../core/suggest.ts';
import type { LockedDistro } from '../archive/lock-file.ts';
import type { PackageBuildConfig } from '../package/config.ts';
import { buildsNeeded, packageBuildConfigs, type ImageUse } from '../package/plan.ts';
import { buildableTargets, type ImageTarget } from '../profile/image-targets.ts';
import type { Library } from '../profile/library.ts';
import { resolveDistro } from '../profile/resolve.ts';
import type { ProjectLock } from './project-lock.ts';

const PREFIX = 'package/';

/** `package/jansson` names a package build when the project declares any. */
export const isPackageGoal = (library: Library | undefined, name: string): boolean => !!library && library.packages.size > 0 && name.startsWith(PREFIX) && !name.slice(PREFIX.length).includes('/');

/** The features of each distro's profile, by name (a distro that no longer resolves has none). */
export function distroFeatures(library: Library, names: Iterable<string>): Map<string, ReadonlySet<string>> {
  return new Map([...names].map((name) => {
    const profile = resolveDistro(library, name);
    return [name, new Set(profile.ok ? profile.value.features : [])];
  }));
}

/** What decides the builds a locked distro's image takes: its lock entry's packages and its profile's features. */
export const imageUse = (library: Library, distro: string, entry: LockedDistro): ImageUse => ({
  installed: new Set([...entry.packages, ...(entry.local ?? [])].map((p) => p.name)),
  features: distroFeatures(library, [distro]).get(distro)!,
});

/** The builds the lock pins, as the plan makes them (suite and mirror left out: only their names and relations are asked). */
export const lockedConfigs = (library: Library, lock: ProjectLock): PackageBuildConfig[] =>
  packageBuildConfigs({ builds: library.packages, locked: lock.builds, suite: '', mirror: '', sourceDateEpoch: 0 });

/** For each package goal, the first locked image (by name) that needs the build; one line naming what is missing otherwise. */
export function packageGoalImages(library: Library, lock: ProjectLock, goals: readonly string[]): Result<ImageTarget[]> {
  const configs = lockedConfigs(library, lock);
  const images = buildableTargets(library);
  const out: ImageTarget[] = [];
  for (const goal of goals) {
    const name = goal.slice(PREFIX.length);
    const declared = library.packages.get(name);
    if (!configs.some((c) => c.name === name)) {
      if (declared) {
        return fail({ message: `${goal} is not locked yet: a build is made for the images that take it`, ...(declared.decl.at && { at: declared.decl.at }), hint: `build once an image whose profile has feature ${declared.feature} and installs one of its binaries (mkimage DISTRO.TYPE); that locks it` });
      }
      const guess = closest(name, [...new Set([...library.packages.keys(), ...configs.map((c) => c.name)])]);
      return fail({ message: `no package build ${name}: the project builds ${[...library.packages.keys()].sort().join(', ')}`, ...(guess && { hint: `did you mean ${PREFIX}${guess}?` }) });
    }
    const taker = [...lock.entries]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .find(([distro, entry]) => buildsNeeded(imageUse(library, distro, entry), configs).needed.has(name));
    const image = taker && images.find((t) => t.distro.name === taker[0]);
    if (!image) {
      const features = configs.find((c) => c.name === name)!.features.join(' or ');
      return fail({ message: `${goal}: no locked image takes it`, hint: `an image takes it when its profile has feature ${features} and it installs one of its binaries (or a dependent's): build such an image once, then the package alone` });
    }
    if (!out.some((t) => t.name === image.name)) out.push(image);
  }
  return ok(out);
}
