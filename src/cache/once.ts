/** `f` run at most once: later calls get the first call's promise (a release, an undo). */
export function once(f: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= f());
}
