// Whether the boot check can use KVM. /dev/kvm is not enough: some hosts provide a software
// KVM (kvm_pvm, "PVM") behind it that hangs a stock Debian kernel early in boot, so KVM is used
// only with a hardware KVM module loaded, and TCG (slower, ~1 min to a login prompt) otherwise.

import { constants } from 'node:fs';
import { access, readdir } from 'node:fs/promises';

export type Accel = 'kvm' | 'tcg';

export interface AccelChoice {
  readonly accel: Accel;
  /** Why: shown next to boot times, so a slow boot explains itself. */
  readonly reason: string;
}

export interface HostFacts {
  readonly kvmDevice: 'missing' | 'no-access' | 'ok';
  /** Names in /sys/module (loaded modules and built-in ones with parameters). */
  readonly modules: ReadonlySet<string>;
}

export function decideAccel(f: HostFacts): AccelChoice {
  if (f.kvmDevice === 'missing') return { accel: 'tcg', reason: 'no /dev/kvm' };
  if (f.kvmDevice === 'no-access') return { accel: 'tcg', reason: '/dev/kvm is not readable and writable by us' };
  if (f.modules.has('kvm_pvm')) {
    return { accel: 'tcg', reason: 'kvm_pvm is loaded: /dev/kvm is a software KVM that hangs stock kernels' };
  }
  const hw = ['kvm_intel', 'kvm_amd'].find((m) => f.modules.has(m));
  if (hw) return { accel: 'kvm', reason: `${hw} is loaded and /dev/kvm is usable` };
  return { accel: 'tcg', reason: 'no hardware KVM module (kvm_intel, kvm_amd) is loaded' };
}

export async function hostFacts(): Promise<HostFacts> {
  const kvmDevice = await access('/dev/kvm', constants.R_OK | constants.W_OK).then(
    () => 'ok' as const,
    (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? ('missing' as const) : ('no-access' as const)),
  );
  const modules = new Set(await readdir('/sys/module').catch(() => [] as string[]));
  return { kvmDevice, modules };
}

export async function chooseAccel(): Promise<AccelChoice> {
  return decideAccel(await hostFacts());
}
