// What Targetfile.ts, conf.d/ and features/ import as 'mkimage'.

export { target, type TargetDef, type TargetOptions } from './target.ts';
export {
  add,
  alias,
  distro,
  feature,
  mixin,
  profiles,
  remove,
  set,
  setting,
  tags,
  trySet,
  type Alias,
  type Distro,
  type FeatureDecl,
  type Mixin,
  type MixinOptions,
  type Need,
  type Operation,
  type ProfilesDecl,
  type SettingDecl,
} from './profile.ts';
export { debianSource, localSource, type LocalOptions, type PackageDecl, type PackageOptions, type RebuildMode, type UpstreamTarball } from './package.ts';
export type { RecipeContext } from '../core/target.ts';
export type { Json } from '../core/canonical.ts';
