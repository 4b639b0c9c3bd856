// --json: one event per line, exactly as the engine emitted it.

import type { EngineEvent } from '../core/events.ts';

export function jsonLogger(write: (line: string) => void): (e: EngineEvent) => void {
  return (e) => write(JSON.stringify(e));
}
