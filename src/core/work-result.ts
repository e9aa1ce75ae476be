/** What a worker may return besides a plain value (which means success). */
export class WorkResult {
  private constructor(
    readonly kind: 'retry' | 'failure',
    readonly reason: string,
  ) {}

  /** Try again after the backoff delay (counts as a failed attempt). */
  static retry(reason = 'retry requested'): WorkResult {
    return new WorkResult('retry', reason);
  }

  /** End now without retrying; the task is `done` with a failed outcome. */
  static failure(reason = 'failure reported'): WorkResult {
    return new WorkResult('failure', reason);
  }
}

export function isWorkResult(value: unknown): value is WorkResult {
  return value instanceof WorkResult;
}
