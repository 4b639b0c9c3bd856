// run() for commands whose standard output is a value (a password hash, a list): stdout is
// collected and returned instead of streamed; stderr still goes to the log.

import { run, type RunOptions } from './run.ts';

export async function runCapture(file: string, args: readonly string[], o: RunOptions): Promise<string> {
  let stdout = '';
  await run(file, args, {
    ...o,
    output: (stream, text) => {
      if (stream === 'stdout') stdout += text;
      else o.output(stream, text);
    },
  });
  return stdout;
}
