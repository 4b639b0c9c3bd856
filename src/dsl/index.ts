// What Targetfile.ts, conf.d/ and features/ import as 'mkimage'.

export { target, type TargetDef, type TargetOptions } from './target.ts';
export type { RecipeContext } from '../core/target.ts';
export type { Json } from '../core/canonical.ts';
