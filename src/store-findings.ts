import type { QuarantinedRecord } from './core/ports.js';
import type { Logger } from './core/types.js';

/** What the orchestrator found in its store that needs a person: records quarantined, and records held. */
export class StoreFindings {
  private readonly quarantinedRecords: QuarantinedRecord[] = [];
  private readonly heldRecords = new Map<string, string>();

  constructor(private readonly logger: Logger) {}

  /** Rows a store read set aside as unreadable or invalid. */
  quarantined(items: readonly QuarantinedRecord[]): void {
    for (const item of items) {
      this.quarantinedRecords.push(item);
      this.logger.warn(`errand: stored record ${item.key} quarantined: ${item.reason}`);
    }
  }

  /** A record kept without running it (its task is unregistered, or its input no longer parses). */
  held(taskId: string, reason: string): void {
    this.heldRecords.set(taskId, reason);
  }

  report(): { quarantined: QuarantinedRecord[]; held: QuarantinedRecord[] } {
    const held = [...this.heldRecords].map(([key, reason]) => ({ key, reason }));
    return { quarantined: [...this.quarantinedRecords], held };
  }
}
