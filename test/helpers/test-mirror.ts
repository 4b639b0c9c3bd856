// A Debian mirror the test controls: real .debs (from the tests' pool) and packages of the
// test's own (made with dpkg-deb), a Packages index by dpkg-scanpackages, a Release with its
// checksums, signed into InRelease with the test's key; served by startNginx. Publishing again
// is what an archive update looks like to a lock.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArchiveKey } from './archive-key.ts';

export class TestMirror {
  constructor(
    /** The mirror's root (what nginx serves). */
    readonly root: string,
    readonly key: ArchiveKey,
    readonly suite = 'bookworm',
  ) {
    mkdirSync(join(root, 'pool/main'), { recursive: true });
  }

  /** Puts a .deb into the mirror's pool (a hard link) under its Debian file name. */
  add(deb: string, name: string, version: string, architecture: string): string {
    const file = join(this.root, 'pool/main', `${name}_${version.replace(/^\d+:/, '')}_${architecture}.deb`);
    rmSync(file, { force: true });
    linkSync(deb, file);
    return file;
  }

  /** Takes a package file out of the pool (an archive that dropped a version). */
  remove(name: string, version: string, architecture: string): void {
    rmSync(join(this.root, 'pool/main', `${name}_${version}_${architecture}.deb`));
  }

  /** Indexes the pool and signs the suite; each call is a new Release (its Date moves on). */
  publish(date: Date): void {
    const dist = join(this.root, 'dists', this.suite);
    const bin = join(dist, 'main/binary-amd64');
    mkdirSync(bin, { recursive: true });
    const packages = execFileSync('dpkg-scanpackages', ['--multiversion', 'pool', '/dev/null'], { cwd: this.root, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
    writeFileSync(join(bin, 'Packages'), packages);
    writeFileSync(join(bin, 'Packages.xz'), execFileSync('xz', ['-c'], { input: packages }));
    const sums = ['main/binary-amd64/Packages', 'main/binary-amd64/Packages.xz'].map((p) => {
      const bytes = readFileSync(join(dist, p));
      return ` ${createHash('sha256').update(bytes).digest('hex')} ${bytes.length} ${p}`;
    });
    const release = [
      'Origin: mkimage-test',
      'Label: mkimage-test',
      `Suite: ${this.suite}`,
      `Codename: ${this.suite}`,
      `Date: ${date.toUTCString().replace('GMT', 'UTC')}`,
      'Architectures: amd64 all',
      'Components: main',
      'SHA256:',
      ...sums,
      '',
    ].join('\n');
    writeFileSync(join(dist, 'Release'), release);
    writeFileSync(join(dist, 'InRelease'), this.key.sign(release));
  }

  /** The sources line a profile's MIRRORS names it by (its key given, as apt's signed-by). */
  sourcesLine(url: string): string {
    return `deb [signed-by=${this.key.keyring}] ${url} ${this.suite} main`;
  }
}

/** A small package of the test's own, made in `into`: one file saying its version; byte-identical for the same version. */
export function makeDeb(name: string, version: string, into: string): string {
  const dir = mkdtempSync(join(into, 'mkimage-deb-'));
  const root = join(dir, 'root');
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  mkdirSync(join(root, 'usr/share', name), { recursive: true });
  writeFileSync(join(root, 'usr/share', name, 'VERSION'), `${version}\n`);
  writeFileSync(
    join(root, 'DEBIAN/control'),
    `Package: ${name}\nVersion: ${version}\nArchitecture: all\nMaintainer: mkimage tests <tests@mkimage.invalid>\nPriority: optional\nSection: misc\nDescription: a package of the mkimage tests\n`,
  );
  chmodSync(join(root, 'DEBIAN'), 0o755);
  const deb = join(dir, `${name}_${version}_all.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', root, deb], { stdio: 'ignore', env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } });
  rmSync(root, { recursive: true });
  return deb;
}
