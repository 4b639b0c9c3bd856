// Watch mode with --json: engine events as the build command prints them, and each watcher
// message as one object `{"type":"watch","event":...}`, so a reader tells them apart by type.

import type { WatchView } from '../watch/view.ts';
import { jsonLogger } from './json-logger.ts';

export function jsonView(write: (line: string) => void): WatchView {
  const events = jsonLogger(write);
  return {
    build: () => events,
    status: (s) => {
      const { type, ...rest } = s;
      write(JSON.stringify({ type: 'watch', event: type, time: Date.now(), ...rest }));
    },
  };
}
