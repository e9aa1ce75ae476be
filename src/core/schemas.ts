import { z } from 'zod';

/** Longest delay errand accepts (about 10 years): keeps arithmetic on ms timestamps exact. */
export const MAX_DELAY_MS = 10 * 365 * 24 * 60 * 60 * 1000;

const delayMs = z.number().int().min(0).max(MAX_DELAY_MS);

const workers = 'must be a whole number of workers, 1 or more';
/** A worker limit: `defineTask({ concurrency })`, `maxConcurrentWorkers`. */
export const workerLimitSchema = z.number({ error: workers }).int({ error: workers }).min(1, { error: workers });

export const taskIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._\-/]*$/,
    'must start with a letter or digit and use only letters, digits, ".", "_", "-" and "/"',
  );

export const constraintsSchema = z
  .object({
    /** 'any' needs a connection, 'unmetered' one that is not metered. */
    network: z.enum(['none', 'any', 'unmetered']).default('none'),
    charging: z.boolean().default(false),
    batteryNotLow: z.boolean().default(false),
    idle: z.boolean().default(false),
    foreground: z.boolean().default(false),
  })
  .strict();

export const backoffSchema = z
  .object({
    policy: z.enum(['exponential', 'linear']).default('exponential'),
    initialDelayMs: delayMs.default(1_000),
    maxDelayMs: delayMs.default(300_000),
    maxAttempts: z.number().int().min(1).max(1_000_000).default(5),
    /** Fraction (0..1) by which a delay may randomly shrink; 0 turns jitter off. */
    jitter: z.number().min(0).max(1).default(0),
  })
  .strict()
  .refine((b) => b.maxDelayMs >= b.initialDelayMs, {
    path: ['maxDelayMs'],
    message: 'must be at least initialDelayMs',
  });

const requestShape = {
  taskId: taskIdSchema,
  kind: z.enum(['oneTime', 'periodic']).default('oneTime'),
  initialDelayMs: delayMs.default(0),
  /** Periodic only: time from the end of one run to the next. */
  intervalMs: delayMs.min(1).optional(),
  constraints: constraintsSchema.prefault({}),
  backoff: backoffSchema.prefault({}),
  ephemeral: z.boolean().default(false),
};

function checkPeriodic(
  request: { kind: 'oneTime' | 'periodic'; intervalMs?: number | undefined },
  ctx: z.core.$RefinementCtx,
): void {
  if (request.kind === 'periodic' && request.intervalMs === undefined) {
    ctx.addIssue({ code: 'custom', path: ['intervalMs'], message: 'is required for periodic work' });
  }
  if (request.kind === 'oneTime' && request.intervalMs !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['intervalMs'], message: 'only applies to periodic work' });
  }
}

/** What callers pass to `schedule()`. */
export const scheduleRequestSchema = z
  .object({ ...requestShape, input: z.unknown().optional(), onConflict: z.enum(['replace', 'keep']).default('replace') })
  .strict()
  .superRefine(checkPeriodic);

/** A request as the machine and the stores keep it: defaults applied, no input (stored apart, encoded), no conflict policy. */
export const taskRequestSchema = z.object(requestShape).strict().superRefine(checkPeriodic);

export const persistedStatusSchema = z.enum(['pending', 'constrained', 'running', 'backoff']);

/** The record layout this version writes (`version` in every record). */
export const TASK_RECORD_VERSION = 2;

/**
 * errand's own versioned record of scheduled work; stores keep this, never XState internals.
 * The store is the source of truth: a dormant task is only this record.
 */
export const taskRecordSchema = z
  .object({
    version: z.literal(TASK_RECORD_VERSION),
    taskId: taskIdSchema,
    request: taskRequestSchema,
    /** The input as given to `schedule()`, in errand's encoding (superjson text); null when there was none. */
    input: z.string().nullable(),
    /** Attempts started so far for this request (a record saved while running counts that attempt). */
    attempt: z.number().int().min(0),
    /** Attempts of this request cut off by the process ending while they ran (they count towards maxAttempts). */
    interrupted: z.number().int().min(0),
    /** Runs this TaskId has started since it was scheduled (attempts and runNow calls). */
    runCount: z.number().int().min(0),
    status: persistedStatusSchema,
    /**
     * When the work falls due (pending, backoff) or fell due (constrained, running), epoch ms.
     * Stores order runnable records by it: `due()` and `nextDueAt()`.
     */
    dueAt: z.number(),
    /**
     * Why the orchestrator keeps this record without running it (its task is not registered, or its
     * input no longer matches the task's schema); null when it is runnable. Held records are never due.
     */
    held: z.string().nullable(),
    updatedAt: z.number(),
  })
  .strict();

export type ScheduleRequest = z.input<typeof scheduleRequestSchema>;
export type TaskRequest = z.output<typeof taskRequestSchema>;
export type Constraints = z.output<typeof constraintsSchema>;
export type BackoffPolicy = z.output<typeof backoffSchema>;
export type TaskRecord = z.output<typeof taskRecordSchema>;
export type PersistedStatus = z.output<typeof persistedStatusSchema>;

const DEFAULT_CONSTRAINTS: Constraints = Object.freeze(constraintsSchema.parse({}));
const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze(backoffSchema.parse({}));
const sameFields = <T extends object>(a: T, b: T) => {
  for (const key of Object.keys(b) as Array<keyof T>) if (a[key] !== b[key]) return false;
  return true;
};

/**
 * The request the machine and the store keep for a parsed `schedule()` argument. Requests with
 * default constraints and backoff share one frozen copy of each (memory per idle task), and the
 * object is a plain literal of fixed keys: built by spreading, V8 gives each one its own hidden
 * class once the spread's inline cache is warm (about 250 bytes a task).
 */
export function toTaskRequest(parsed: z.output<typeof scheduleRequestSchema>): TaskRequest {
  const { taskId, kind, initialDelayMs, intervalMs, ephemeral } = parsed;
  const constraints = sameFields(parsed.constraints, DEFAULT_CONSTRAINTS) ? DEFAULT_CONSTRAINTS : parsed.constraints;
  const backoff = sameFields(parsed.backoff, DEFAULT_BACKOFF) ? DEFAULT_BACKOFF : parsed.backoff;
  return intervalMs === undefined
    ? { taskId, kind, initialDelayMs, constraints, backoff, ephemeral }
    : { taskId, kind, initialDelayMs, intervalMs, constraints, backoff, ephemeral };
}
