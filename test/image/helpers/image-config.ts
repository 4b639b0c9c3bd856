// A small server's ImageConfig for the image tests: systemd, networkd, ssh, serial console.

import { join } from 'node:path';
import type { ImageConfig } from '../../../src/image/config.ts';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const feature = (name: string) => join(FIXTURES, 'features', name);

export function testConfig(changes: Partial<ImageConfig> = {}): ImageConfig {
  return {
    name: 'test-server',
    description: 'mkimage test server',
    suite: 'bookworm',
    variant: 'minbase',
    mirrors: [],
    components: ['main'],
    architecture: 'amd64',
    basePackages: ['dbus', 'iproute2', 'linux-image-amd64', 'live-boot', 'openssh-server', 'procps', 'systemd-resolved', 'systemd-sysv', 'udev'],
    packages: [],
    hostname: 'testhost',
    locale: 'C.UTF-8',
    timezone: 'Etc/UTC',
    serial: { device: 'ttyS0', speed: 115200 },
    kernelCmdline: [],
    rootPassword: 'live',
    compression: 'fast',
    volumeId: 'TEST_SERVER',
    overlays: [
      { feature: 'networkd', dir: join(feature('networkd'), 'rootfs'), overrides: [] },
      { feature: 'motd', dir: join(feature('motd'), 'rootfs'), overrides: [] },
    ],
    hooks: [
      { feature: 'networkd', path: join(feature('networkd'), 'hooks', '10-enable-networkd'), network: false, reads: [] },
      { feature: 'motd', path: join(feature('motd'), 'hooks', '20-enable-hello'), network: false, reads: ['GREETING'] },
    ],
    hookEnv: { GREETING: 'hello' },
    bootTimeout: 0,
    sourceDateEpoch: 1700000000,
    ...changes,
  };
}
