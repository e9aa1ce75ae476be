import { ErrandError, StoreOpenError, StoreWriteError } from '../../src/core/errors.js';

/*
 * IndexedDB reports failures as DOMExceptions named by kind; callers get errand's typed errors,
 * with the DOMException as `cause`.
 */

const nameOf = (error: unknown): string => (error instanceof Error || (typeof DOMException !== 'undefined' && error instanceof DOMException) ? error.name : '');
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Why `indexedDB.open(name, version)` failed, as the StoreOpenError it means. */
export function openError(name: string, error: unknown, version: number): ErrandError {
  if (error instanceof ErrandError) return error;
  switch (nameOf(error)) {
    case 'VersionError':
      return new StoreOpenError(name, `it was written by a newer errand (this one reads up to schema version ${version}): ${messageOf(error)}`, error);
    case 'SecurityError':
    case 'InvalidStateError':
      return new StoreOpenError(name, `IndexedDB is not available to this page (private browsing, storage blocked, or an opaque origin): ${messageOf(error)}`, error);
    default:
      return new StoreOpenError(name, messageOf(error), error);
  }
}

/** Why a readwrite transaction failed, as the StoreWriteError it means. */
export function writeError(name: string, error: unknown): ErrandError {
  if (error instanceof ErrandError) return error;
  switch (nameOf(error)) {
    case 'QuotaExceededError':
      return new StoreWriteError(`errand store ${name}: the browser's storage quota is exceeded; nothing of the batch was written`, error);
    case 'AbortError':
      return new StoreWriteError(`errand store ${name}: the transaction was aborted; nothing of the batch was written`, error);
    default:
      return new StoreWriteError(`errand store ${name}: the write failed (${messageOf(error)}); nothing of the batch was written`, error);
  }
}
