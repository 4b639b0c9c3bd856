// What marks a value as the profile DSL's (a distro, a mixin, a feature, a package build):
// loaders tell the DSL's values from anything else a module exports by it.

export const PROFILE = Symbol.for('mkimage.profile');
