/**
 * The order of calls per TaskId ("the last call wins"). A `schedule()` makes its work live only
 * once its record is durable, a tick or more later; a call on the same TaskId made meanwhile
 * (cancel, runNow, another schedule) supersedes it. Reads of the store that race such calls
 * (the wake-up scan, an activation) watch which TaskIds were touched while they were reading.
 * Only TaskIds with a call in flight are kept, so this is empty when nothing is happening.
 */
export class OpOrder {
  private readonly latest = new Map<string, number>();
  private readonly watchers = new Set<Set<string>>();
  private seq = 0;

  /** A call on `taskId` starts now; returns its ticket. */
  begin(taskId: string): number {
    const ticket = ++this.seq;
    this.latest.set(taskId, ticket);
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
    return this.latest.has(taskId);
  }

  /** The call with `ticket` is over; forgets the TaskId unless a later call is still in flight. */
  end(taskId: string, ticket: number): void {
    if (this.latest.get(taskId) === ticket) this.latest.delete(taskId);
  }

  /** Collects every TaskId touched from now until `stop` is called on the returned set. */
  watch(): { touched: ReadonlySet<string>; stop(): void } {
    const touched = new Set<string>();
    this.watchers.add(touched);
    return { touched, stop: () => void this.watchers.delete(touched) };
  }
}
