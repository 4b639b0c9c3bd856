// The live terminal UI: what the CLI imports.

export type { LiveNode } from './graph-layers.ts';
export { startLiveUi, type LiveUi, type LiveUiOptions } from './live-ui.tsx';
export type { BuiltOutput } from './model.ts';
export { colorAllowed } from './paint.ts';
