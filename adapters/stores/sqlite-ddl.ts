/* The tables of schema version 2 (see sqlite-schema.ts for versions and migrations). */

/**
 * Version 2: one row a record, the fields the store port orders and filters by in their own
 * columns. The partial indexes keep each query a range read of just what it returns: `due()` and
 * `nextDueAt()` read only runnable rows, `held()` and the erasing of ephemeral work read only the
 * few rows they are about, and `list()` by status reads one status.
 */
export const TASKS_V2 = `
  CREATE TABLE errand_tasks (
    key TEXT PRIMARY KEY NOT NULL,
    data TEXT NOT NULL,
    input TEXT,
    due_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    held TEXT,
    ephemeral INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX errand_tasks_due ON errand_tasks (due_at, key) WHERE held IS NULL;
  CREATE INDEX errand_tasks_status ON errand_tasks (status, key);
  CREATE INDEX errand_tasks_held ON errand_tasks (key) WHERE held IS NOT NULL;
  CREATE INDEX errand_tasks_ephemeral ON errand_tasks (key) WHERE ephemeral <> 0;
`;

/** Rows set aside by a read (or by a migration): kept as they were found, never deleted by errand. */
export const QUARANTINE_V2 = `
  CREATE TABLE errand_quarantine (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    data,
    input,
    reason TEXT NOT NULL,
    quarantined_at INTEGER NOT NULL
  );
`;

/** Where the schema version is kept. */
export const META = 'CREATE TABLE IF NOT EXISTS errand_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)';
