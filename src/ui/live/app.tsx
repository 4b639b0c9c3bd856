// The live UI's root component: the graph screen or one target's log, and the keys. The
// model is read, never copied into React state: whoever owns it re-renders this component
// (with a new `now`) when it changed, at most a few times a second.

import { useStdin, useInput, type Key } from 'ink';
import { useCallback, useRef, useState } from 'react';
import { onKey, initialUi, type UiState } from './keys.ts';
import { LogFile } from './log-file.ts';
import { logHeight, LogView } from './log-view.tsx';
import { Lines } from './lines.tsx';
import type { LiveModel } from './model.ts';
import type { Painter } from './paint.ts';
import type { Cell } from './cells.ts';
import { screen } from './screen.ts';

export interface LiveAppProps {
  readonly model: LiveModel;
  /** The time the frame shows (elapsed times, ETAs). */
  readonly now: number;
  readonly columns: number;
  readonly rows: number;
  readonly paint: Painter;
  /** q or Ctrl-C: the owner stops the build; the UI goes on drawing until it is unmounted. */
  readonly onQuit: () => void;
  /** The last frame: the summary, and no more keys. */
  readonly final?: boolean;
}

export function LiveApp({ model, now, columns, rows, paint, onQuit, final = false }: LiveAppProps) {
  const [ui, setUi] = useState<UiState>(initialUi);
  const { isRawModeSupported } = useStdin();
  const log = useRef<LogFile | undefined>(undefined);
  // What the key handler reads: the latest of everything, even between a key and the render
  // it causes (two keys can arrive in one read).
  const latest = useRef({ ui, model, rows, onQuit, cells: [] as readonly Cell[] });
  Object.assign(latest.current, { model, rows, onQuit });

  const onInput = useCallback((input: string, key: Key) => {
    const l = latest.current;
    const next = onKey(l.ui, input, key, {
      model: l.model,
      cells: l.cells,
      logLines: log.current?.lines().length ?? 0,
      logHeight: logHeight(l.rows),
    });
    if (next.state !== l.ui) {
      l.ui = next.state;
      setUi(next.state);
    }
    if (next.quit) l.onQuit();
  }, []);
  useInput(onInput, { isActive: isRawModeSupported === true && !final });

  const view = ui.view;
  if (view.kind === 'log' && !final) {
    const path = model.nodes.get(view.target)?.logPath;
    if (!path) log.current = undefined;
    else if (log.current?.path !== path) log.current = new LogFile(path);
    // Cheap: reads only what the engine appended since the last frame.
    else log.current.refresh();
    return <LogView target={view.target} file={log.current} scroll={view.scroll} columns={columns} rows={rows} paint={paint} />;
  }
  const s = screen({ model, now, columns, rows, selected: final ? undefined : ui.selected, stopping: ui.stopping, final });
  latest.current.cells = s.cells;
  return <Lines lines={s.lines} paint={paint} />;
}
