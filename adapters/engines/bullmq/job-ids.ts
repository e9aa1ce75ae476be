// TaskId <-> BullMQ jobId.
//
// Why an encoding at all: BullMQ 6.7 rejects a custom jobId that is an integer string ("Custom Id cannot be
// integers": `${parseInt(id, 10)}` === id, because its own ids are counters) or that contains ':' (its Redis
// key separator; see Job.validateOptions in node_modules/bullmq/dist/esm/classes/job.js). An errand TaskId may
// be "123" today, and the engine must not trust that every TaskId it is handed passed taskIdSchema, so the
// mapping is total over every JavaScript string, lone UTF-16 surrogates included.
//
// Shape: PREFIX + the id with every code unit outside SAFE written as `~` + 4 hex digits. The prefix starts
// with a letter, so no output is an integer string; ':' is never SAFE, so none contains ':'. Each code unit has
// exactly one spelling (fixed-width escapes, '~' itself escaped), which makes the mapping injective and
// reversible. Every character taskIdSchema allows is SAFE, so a valid TaskId reads as itself in bull-board
// ("t_reports/daily" for "reports/daily"). The output is pure ASCII: lone surrogates survive Redis' UTF-8.

/** Starts every jobId errand writes; jobIds without it (scheduler ids, other producers' jobs) are not errand's. */
export const JOB_ID_PREFIX = 't_';

const ESCAPE = '~';
/** Exactly taskIdSchema's alphabet (src/core/schemas.ts); ':' and '~' are deliberately absent. */
const SAFE = /^[A-Za-z0-9._\-/]$/;
const ESCAPED = /^[0-9a-f]{4}$/;

export class JobIdDecodeError extends Error {
  override readonly name = 'JobIdDecodeError';
  constructor(
    readonly jobId: string,
    reason: string,
  ) {
    super(`jobId ${JSON.stringify(jobId)} is not one errand wrote: ${reason}`);
  }
}

export function encodeJobId(taskId: string): string {
  let out = JOB_ID_PREFIX;
  // Iterate code units, not code points: a lone surrogate must round-trip too.
  for (let i = 0; i < taskId.length; i++) {
    const ch = taskId.charAt(i);
    out += SAFE.test(ch) ? ch : ESCAPE + taskId.charCodeAt(i).toString(16).padStart(4, '0');
  }
  return out;
}

/** The TaskId behind a jobId errand wrote; throws JobIdDecodeError for any other jobId. */
export function decodeJobId(jobId: string): string {
  if (!jobId.startsWith(JOB_ID_PREFIX)) throw new JobIdDecodeError(jobId, `no ${JOB_ID_PREFIX} prefix`);
  let out = '';
  for (let i = JOB_ID_PREFIX.length; i < jobId.length; i++) {
    const ch = jobId.charAt(i);
    if (ch === ESCAPE) {
      const hex = jobId.slice(i + 1, i + 5);
      // Lower-case only, so "~003a" and "~003A" cannot both decode to ':' (keeps decode the exact inverse).
      if (!ESCAPED.test(hex)) throw new JobIdDecodeError(jobId, `bad escape at ${i}`);
      const decoded = String.fromCharCode(Number.parseInt(hex, 16));
      // An escaped SAFE character would give a second spelling of the same TaskId.
      if (SAFE.test(decoded)) throw new JobIdDecodeError(jobId, `needless escape at ${i}`);
      out += decoded;
      i += 4;
    } else if (SAFE.test(ch)) {
      out += ch;
    } else {
      throw new JobIdDecodeError(jobId, `unescaped ${JSON.stringify(ch)} at ${i}`);
    }
  }
  return out;
}

/** For jobs listed from a queue errand may share: the TaskId, or undefined for a job errand did not write. */
export function tryDecodeJobId(jobId: string): string | undefined {
  try {
    return decodeJobId(jobId);
  } catch (error) {
    if (error instanceof JobIdDecodeError) return undefined;
    throw error;
  }
}

/** BullMQ 6.7's own acceptance rule for a custom jobId, restated so tests can check every encoding against it. */
export function isAcceptableJobId(jobId: string): boolean {
  return jobId.length > 0 && `${Number.parseInt(jobId, 10)}` !== jobId && !jobId.includes(':');
}
