/** The worker call in flight for one attempt (or one runNow). */
export class ActiveRun {
  settled = false;
  private aborted = false;
  // Created on first use: most workers never read their signal, and AbortController is not cheap.
  private controller: AbortController | null = null;

  constructor(readonly runId: number) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort();
    }
    return this.controller.signal;
  }

  abort(): void {
    this.aborted = true;
    this.controller?.abort();
  }
}
