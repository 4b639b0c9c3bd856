// A copy of a profile fixture in a temp dir, with files replaced or removed, run through the
// real CLI; or loaded in-process for resolution tests.

import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModuleLoader, loadTargetfile } from '../../src/project/load.ts';
import { loadLibrary, type Library } from '../../src/profile/library.ts';
import { ProjectRig } from './project-rig.ts';

export const FIXTURES = fileURLToPath(new URL('../profile/fixtures/', import.meta.url));

/** A writable copy of a fixture, driven like any project. */
export function fixtureRig(name: string, changes: Record<string, string | null> = {}): ProjectRig {
  const rig = new ProjectRig({});
  cpSync(join(FIXTURES, name), rig.dir, { recursive: true });
  for (const [file, text] of Object.entries(changes)) {
    const path = join(rig.dir, file);
    if (text === null) rmSync(path, { recursive: true, force: true });
    else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
  }
  return rig;
}

/** Loads a fixture's library in-process. */
export async function loadFixture(dir: string): Promise<Library> {
  const loader = new ModuleLoader();
  try {
    const project = await loadTargetfile(join(dir, 'Targetfile.ts'), loader);
    if (!project.ok) throw new Error(project.error.message);
    const library = await loadLibrary(project.value.root, project.value.profiles!, loader);
    if (!library.ok) throw new Error(`${library.error.message} at ${JSON.stringify(library.error.at)}`);
    return library.value;
  } finally {
    await loader.close();
  }
}

export const tempDir = () => mkdtempSync(join(tmpdir(), 'mkimage-profile-'));
export { writeFileSync };
