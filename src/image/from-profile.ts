// Reduces a resolved profile to the ImageConfig the stages read: plain data, validated, with
// the features' overlays in mixin order and the hooks HOOKS names in name order.

import { fail, ok, type Result } from '../core/diagnostic.ts';
import type { Library } from '../profile/library.ts';
import { packageOrigins } from '../profile/package-origins.ts';
import type { ResolvedProfile, Value } from '../profile/resolve.ts';
import type { HookSource, ImageConfig } from './config.ts';

export interface BuildFacts {
  /** Clamp for every timestamp (the project's last commit time unless SOURCE_DATE_EPOCH says otherwise). */
  readonly sourceDateEpoch: number;
}

const str = (v: Value | undefined): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
const list = (v: Value | undefined): string[] => (Array.isArray(v) ? v.map(String) : []);

export function imageConfig(profile: ResolvedProfile, library: Library, facts: BuildFacts): Result<ImageConfig> {
  const v = (name: string) => profile.variables[name]?.value;
  const at = (name: string) => profile.variables[name]?.history.at(-1)?.at;
  const serial = str(v('SERIAL_CONSOLE'));
  let parsedSerial: ImageConfig['serial'] = null;
  if (serial) {
    const m = /^(tty[A-Za-z0-9]+),(\d+)$/.exec(serial);
    if (!m) {
      const where = at('SERIAL_CONSOLE');
      return fail({ message: `SERIAL_CONSOLE ${JSON.stringify(serial)} is not DEVICE,SPEED`, ...(where && { at: where }), hint: 'e.g. ttyS0,115200' });
    }
    parsedSerial = { device: m[1]!, speed: Number(m[2]) };
  }
  const volumeId = str(v('VOLUME_ID'));
  if (!/^[A-Z0-9_]{1,32}$/.test(volumeId)) {
    const where = at('VOLUME_ID');
    return fail({ message: `VOLUME_ID ${JSON.stringify(volumeId)} is not 1-32 characters of A-Z, 0-9 and _`, ...(where && { at: where }) });
  }
  const features = profile.features.map((f) => library.features.get(f)!);
  const hooks = hooksToRun(profile, library);
  if (!hooks.ok) return hooks;
  return ok({
    name: profile.distro,
    description: profile.description,
    suite: str(v('SUITE')),
    variant: str(v('VARIANT')),
    mirrors: list(v('MIRRORS')),
    components: list(v('COMPONENTS')),
    architecture: 'amd64',
    basePackages: profile.basePackages,
    packages: profile.packages,
    packageOrigins: packageOrigins(profile, library),
    hostname: str(v('HOSTNAME')),
    locale: str(v('LOCALE')),
    timezone: str(v('TIMEZONE')),
    serial: parsedSerial,
    kernelCmdline: list(v('KERNEL_CMDLINE')),
    rootPassword: str(v('ROOT_PASSWORD')) || null,
    compression: str(v('COMPRESSION')) === 'tight' ? 'tight' : 'fast',
    volumeId,
    bootTimeout: typeof v('BOOT_TIMEOUT') === 'number' ? (v('BOOT_TIMEOUT') as number) : 3,
    overlays: features.filter((f) => f.rootfs).map((f) => ({ feature: f.name, dir: f.rootfs!, overrides: f.overrides })),
    hooks: hooks.value,
    hookEnv: hookEnvironment(profile),
    sourceDateEpoch: facts.sourceDateEpoch,
  });
}

/**
 * The hooks HOOKS names (`feature/file`, added by the mixins that carry them), in name order
 * (10-..., 50-..., 90-...), ties in the order they were added.
 */
function hooksToRun(profile: ResolvedProfile, library: Library): Result<HookSource[]> {
  const out: Array<HookSource & { name: string }> = [];
  for (const entry of new Set(list(profile.variables.HOOKS?.value))) {
    const [feature, name] = entry.split('/') as [string, string?];
    const hook = name === undefined ? undefined : library.features.get(feature)?.hooks.find((h) => h.name === name);
    if (!hook) {
      const origin = profile.variables.HOOKS?.history.find((h) => h.given.includes(JSON.stringify(entry)));
      return fail({ message: `HOOKS names ${entry}, which is no hook of a feature`, ...(origin?.at && { at: origin.at }), hint: 'HOOKS entries are feature/file, e.g. cleanup/90-docs' });
    }
    out.push({ feature, name: hook.name, path: hook.path, network: hook.network, reads: hook.reads });
  }
  return ok(out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(({ name: _, ...h }) => h));
}

/**
 * What hooks may see: every resolved variable under its own name (lists one item per line),
 * and MKIMAGE_DISTRO / MKIMAGE_MIXINS / MKIMAGE_FEATURES; each gets those its feature reads.
 */
function hookEnvironment(profile: ResolvedProfile): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, variable] of Object.entries(profile.variables)) {
    env[name] = Array.isArray(variable.value) ? variable.value.map(String).join('\n') : str(variable.value);
  }
  env.MKIMAGE_DISTRO = profile.distro;
  env.MKIMAGE_MIXINS = profile.chain.join('\n');
  env.MKIMAGE_FEATURES = profile.features.join('\n');
  return env;
}
