/**
 * The order of calls per TaskId ("the last call wins"). A `schedule()` makes its work live only
 * once its record is durable, a tick or more later; a call on the same TaskId made meanwhile
 * (cancel, runNow, another schedule) supersedes it. Reads of the store that race such calls
 * (the wake-up scan, an activation) watch which TaskIds were touched while they were reading.
 * Only TaskIds with a call in flight are kept, so this is empty when nothing is happening. Every
 * ticket is ended exactly once: a TaskId stays in flight until every call on it has ended, not only
 * its latest (a `keep` that decided nothing must not hide a cancel's delete still on its way).
 */
export class OpOrder {
  private readonly latest = new Map<string, number>();
  /** Calls begun and not ended, per TaskId. */
  private readonly open = new Map<string, number>();
  private readonly watchers = new Set<Set<string>>();
  private seq = 0;

  /** A call on `taskId` starts now; returns its ticket. */
  begin(taskId: string): number {
    const ticket = ++this.seq;
    this.latest.set(taskId, ticket);
    this.open.set(taskId, (this.open.get(taskId) ?? 0) + 1);
    return ticket;
  }

  /** A call is about to change what is stored for `taskId`: reads under way must not act on what they saw. */
  touch(taskId: string): void {
    for (const touched of this.watchers) touched.add(taskId);
  }

  /** No later call on the TaskId has begun since `ticket`. */
  isLatest(taskId: string, ticket: number): boolean {
    return this.latest.get(taskId) === ticket;
  }

  /** A call on the TaskId is in flight (its write not durable yet). */
  inFlight(taskId: string): boolean {
    return this.open.has(taskId);
  }

  /** The call with `ticket` is over (call once per ticket); forgets the TaskId once no call on it is in flight. */
  end(taskId: string, _ticket: number): void {
    const open = (this.open.get(taskId) ?? 1) - 1;
    if (open > 0) {
      this.open.set(taskId, open);
      return;
    }
    this.open.delete(taskId);
    this.latest.delete(taskId);
  }

  /** Collects every TaskId touched from now until `stop` is called on the returned set. */
  watch(): { touched: ReadonlySet<string>; stop(): void } {
    const touched = new Set<string>();
    this.watchers.add(touched);
    return { touched, stop: () => void this.watchers.delete(touched) };
  }
}
