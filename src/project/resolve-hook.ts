// Lets a Targetfile anywhere on disk `import { target } from 'mkimage'`: a module resolve
// hook (node:module register) that maps the bare name to this checkout's DSL.

import { register } from 'node:module';

const DSL_URL = new URL('../dsl/index.ts', import.meta.url).href;

const HOOK = `
export async function resolve(specifier, context, next) {
  if (specifier === 'mkimage') return { url: ${JSON.stringify(DSL_URL)}, shortCircuit: true };
  return next(specifier, context);
}`;

let registered = false;

export function registerMkimageResolution(): void {
  if (registered) return;
  registered = true;
  register(`data:text/javascript,${encodeURIComponent(HOOK)}`);
}
