// Expected failures as values: what went wrong, where in the user's files, and a hint.

export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
}

export interface Diagnostic {
  readonly message: string;
  readonly at?: SourceLocation;
  readonly hint?: string;
}

export type Result<T, E = Diagnostic> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const fail = <E = Diagnostic>(error: E): Result<never, E> => ({ ok: false, error });

export const formatLocation = (at: SourceLocation | undefined): string =>
  at ? `${at.file}:${at.line}${at.column ? `:${at.column}` : ''}` : '';

/** One line: `file:line: message (hint: ...)`. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = formatLocation(d.at);
  return `${where ? `${where}: ` : ''}${d.message}${d.hint ? ` (hint: ${d.hint})` : ''}`;
}
