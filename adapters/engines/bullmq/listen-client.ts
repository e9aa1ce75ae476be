// PostgreSQL's side channel for the BullMQ engine: a LISTEN subscription is bound to one connection, and a
// pg.Client never reconnects, so this one opens a new connection (with LISTEN again) whenever its own is
// lost, PostgreSQL restarting, say, and says so: what was notified meanwhile is gone.
import pg from 'pg';
import { quoted } from './sql-identifiers.js';

const ignore = (): void => {};
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 2_000;

export class ListenClient {
  private client: pg.Client | null = null;
  private closed = false;
  private channel: string | null = null;
  private deliver: (payload: string) => void = ignore;
  private resumed: () => void = ignore;

  constructor(
    private readonly connectionString: string,
    private readonly connectTimeoutMs: number,
  ) {}

  /** The first connection; rejects when PostgreSQL does not answer (the engine's start() fails). */
  async connect(): Promise<void> {
    this.client = await this.open();
  }

  async listen(channel: string, deliver: (payload: string) => void, resumed: () => void): Promise<void> {
    this.channel = channel;
    this.deliver = deliver;
    this.resumed = resumed;
    if (!this.client) throw new Error('the LISTEN connection is not open');
    await this.client.query(`LISTEN ${quoted(channel)}`);
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    await client?.end();
  }

  private async open(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.connectionString, connectionTimeoutMillis: this.connectTimeoutMs });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => {
      if (message.channel === this.channel && message.payload !== undefined) this.deliver(message.payload);
    });
    await client.connect();
    return client;
  }

  private lost(client: pg.Client): void {
    if (this.client !== client || this.closed) return;
    this.client = null;
    void client.end().catch(ignore);
    void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    for (let delay = FIRST_RETRY_MS; !this.closed; delay = Math.min(delay * 2, MAX_RETRY_MS)) {
      await new Promise<void>((resolve) => setTimeout(resolve, delay).unref());
      if (this.closed) return;
      let client: pg.Client | undefined;
      try {
        client = await this.open();
        if (this.channel !== null) await client.query(`LISTEN ${quoted(this.channel)}`);
      } catch {
        void client?.end().catch(ignore);
        continue;
      }
      if (this.closed) {
        void client.end().catch(ignore);
        return;
      }
      this.client = client;
      this.resumed();
      return;
    }
  }
}
