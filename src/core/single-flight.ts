/**
 * `run` one at a time: a call while it runs asks for one more run after it (every call meanwhile
 * folds into that one), and a rejection is the caller's to have handled inside `run`. `wanted()`
 * false drops the run still asked for (nobody listens any more).
 */
export function singleFlight(run: () => Promise<unknown>, wanted: () => boolean): () => void {
  let running = false;
  let again = false;
  const go = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    void run()
      .catch(() => {})
      .finally(() => {
        running = false;
        if (again && wanted()) {
          again = false;
          go();
        }
      });
  };
  return go;
}
