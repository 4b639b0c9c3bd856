// When apt (in mmdebstrap or in the root) cannot install a package, the failure names the
// place the package was asked for, so the fix is one click away: `E: Unable to locate package
// nginxx (unshare exited with 100); nginxx is asked for at features/web/feature.ts:5 (use/web)`.

import { RecipeFailure } from '../core/target.ts';

/** What apt says of a package it cannot install; the first group is the package's name. */
const APT_PACKAGE_ERRORS = [
  /Unable to locate package (\S+)/,
  /Package '([^']+)' has no installation candidate/,
  /Version '[^']+' for '([^']+)' was not found/,
  /Couldn't find any package by (?:glob|regex) '([^']+)'/,
  /Package (\S+) is not available/,
];

export function explainPackageFailure(failure: RecipeFailure, origins: Readonly<Record<string, string>> | undefined): RecipeFailure {
  if (!origins) return failure;
  for (const re of APT_PACKAGE_ERRORS) {
    const pkg = re.exec(failure.message)?.[1];
    const origin = pkg === undefined ? undefined : origins[pkg];
    if (origin === undefined) continue;
    const [headline, ...rest] = failure.message.split('\n');
    const explained = new RecipeFailure([`${headline}; ${pkg} is asked for at ${origin}`, ...rest].join('\n'), {
      ...failure.details,
      hint: failure.details.hint ?? `is the name right? apt-cache search ${pkg} on a machine of that suite finds its spelling`,
    });
    explained.stack = failure.stack;
    return explained;
  }
  return failure;
}
