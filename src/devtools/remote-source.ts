// remoteDevtoolsSource: the devtools panel's DevtoolsSource for an orchestrator in another process,
// served by devtoolsServer (errand/devtools/node). Browser-safe: the platform's WebSocket, nothing of
// Node's. It mirrors the server's tasks so `tasks()` answers synchronously; remote-link.ts reconnects.
import { ErrandError, ValidationError } from '../core/errors.js';
import type { ScheduleRequest } from '../core/schemas.js';
import type { TaskSnapshot } from '../core/types.js';
import { openRemoteLink, type RemoteLink, type WebSocketConstructor } from './remote-link.js';
import type { DevtoolsSource, DevtoolsTaskEvent } from './source.js';
import { decodeServerMessage, DevtoolsWireError, encodeMessage, type ClientMessage, type ServerMessage } from './wire.js';

export interface RemoteDevtoolsSourceOptions {
  /** The server's page URL (devtoolsServer's `url`, http:// or https://) or its socket's (ws:// or wss://). */
  url: string;
  /** The server's token; default: the `token` query parameter of `url`. */
  token?: string;
  /** Default: globalThis.WebSocket (browsers, Node 22). In Node 20 pass `WebSocket` from the `ws` package. */
  WebSocket?: WebSocketConstructor;
  /** Reconnection delays: doubling from `initialDelayMs` (default 250) up to `maxDelayMs` (default 10,000), with jitter. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Errors the server reports outside any command (a message of ours it could not read); default console.warn. */
  onError?: (error: DevtoolsWireError) => void;
}

export type RemoteStatus = 'connecting' | 'open' | 'closed';

export interface RemoteDevtoolsSource extends DevtoolsSource {
  /** 'open' once the server's first snapshot arrived; 'connecting' while (re)connecting; 'closed' after close(). Changes notify subscribeTasks listeners. */
  status(): RemoteStatus;
  /** Asks the server for a TaskId's last request (also kept for requestOf). */
  fetchRequestOf(taskId: string): Promise<ScheduleRequest | undefined>;
  /** Stops reconnecting and closes the socket; commands in flight reject. */
  close(): void;
}

/** A command could not reach the server: the socket is not open, or closed before the reply. */
export class DevtoolsDisconnectedError extends ErrandError {
  override name = 'DevtoolsDisconnectedError';
  constructor(readonly url: string) {
    super(`devtools server at ${url} is not connected`);
  }
}

/** The socket URL for `url`: http(s) becomes ws(s) on the server's /ws; the token goes in the query. */
function socketUrlOf(url: string, token: string | undefined): { socketUrl: string; token: string | undefined } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError('url', `is not a URL: ${url}`);
  }
  const given = token ?? parsed.searchParams.get('token') ?? undefined;
  if (parsed.protocol === 'http:' || parsed.protocol === 'https:') {
    parsed.protocol = parsed.protocol === 'https:' ? 'wss:' : 'ws:';
    parsed.pathname = '/ws';
  } else if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new ValidationError('url', `must be http://, https://, ws:// or wss:// (got ${parsed.protocol})`);
  }
  parsed.search = '';
  parsed.hash = '';
  if (given !== undefined) parsed.searchParams.set('token', given);
  return { socketUrl: parsed.toString(), token: given };
}

/** The error a command's error reply stands for: the ValidationError the orchestrator threw, or a DevtoolsWireError. */
function errorOf(reply: Extract<ServerMessage, { type: 'error' }>): Error {
  // The reply's message is the server-side error's, which already starts with its field.
  const prefix = `${reply.field}: `;
  const message = reply.field !== null && reply.message.startsWith(prefix) ? reply.message.slice(prefix.length) : reply.message;
  if (reply.code === 'invalid' && reply.field !== null) return new ValidationError(reply.field, message);
  return Object.assign(new DevtoolsWireError(reply.code, reply.field, message, reply.id), { remoteName: reply.name });
}

interface Pending {
  settle(reply: ServerMessage): void;
  fail(error: Error): void;
}

/** A reconnection delay: a whole number of ms, 1 or more (0 or NaN would reconnect in a tight loop). */
function delayOption(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 2_147_483_647) {
    throw new ValidationError(`reconnect.${name}`, 'must be a whole number of milliseconds, 1 or more');
  }
  return value;
}

export function remoteDevtoolsSource(options: RemoteDevtoolsSourceOptions): RemoteDevtoolsSource {
  if (typeof options !== 'object' || options === null) throw new ValidationError('options', 'must be an object ({ url })');
  if (typeof options.url !== 'string') throw new ValidationError('url', 'must be a string (the devtools server URL)');
  const { socketUrl } = socketUrlOf(options.url, options.token);
  const Socket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof Socket !== 'function') throw new ValidationError('WebSocket', 'must be given where there is no global WebSocket (Node 20: WebSocket from the ws package)');
  const initialDelayMs = delayOption('initialDelayMs', options.reconnect?.initialDelayMs, 250);
  const maxDelayMs = delayOption('maxDelayMs', options.reconnect?.maxDelayMs, 10_000);
  if (maxDelayMs < initialDelayMs) throw new ValidationError('reconnect.maxDelayMs', 'must be at least initialDelayMs');
  const onError = options.onError ?? ((error: DevtoolsWireError) => console.warn('errand devtools:', error));

  const mirror = new Map<string, TaskSnapshot>();
  const requests = new Map<string, ScheduleRequest>();
  let listed: readonly TaskSnapshot[] | null = null;
  const taskListeners = new Set<() => void>();
  const eventListeners = new Set<(event: DevtoolsTaskEvent) => void>();
  const pending = new Map<string, Pending>();
  const fetching = new Set<string>();
  let nextId = 0;
  /** Server clock minus ours, from the last message that carried `now`. */
  let clockOffset = 0;
  let status: RemoteStatus = 'connecting';

  const notify = () => {
    listed = null;
    for (const listener of [...taskListeners]) listener();
  };
  const setStatus = (next: RemoteStatus) => {
    if (status === next) return;
    status = next;
    notify();
  };
  // Assigned below, once the handlers it calls exist; messages come only after this function returns.
  let link: RemoteLink | null = null;
  const send = (message: ClientMessage): boolean => link?.send(encodeMessage(message)) ?? false;

  const command = (message: ClientMessage & { id: string }): Promise<ServerMessage> =>
    new Promise((settle, fail) => {
      if (status !== 'open' || !send(message)) return fail(new DevtoolsDisconnectedError(socketUrl));
      pending.set(message.id, { settle, fail });
    });

  const receive = (message: ServerMessage) => {
    switch (message.type) {
      case 'tasks':
        clockOffset = message.now - Date.now();
        mirror.clear();
        requests.clear();
        for (const task of message.tasks) mirror.set(task.taskId, task as TaskSnapshot);
        for (const [taskId, request] of message.requests) requests.set(taskId, request as ScheduleRequest);
        link?.resetBackoff();
        status = 'open';
        notify();
        return;
      case 'taskChanged':
        clockOffset = message.now - Date.now();
        // The wire's snapshot has TaskSnapshot's fields; its kind-dependent outcome typing is not the schema's to express.
        mirror.set(message.task.taskId, message.task as TaskSnapshot);
        if (message.request) requests.set(message.task.taskId, message.request as ScheduleRequest);
        notify();
        return;
      case 'taskEvent':
        clockOffset = message.now - Date.now();
        for (const listener of [...eventListeners]) listener(message.event);
        return;
      case 'requestOf':
      case 'done':
      case 'error': {
        const waiting = message.id === null ? undefined : pending.get(message.id);
        if (waiting && message.id !== null) {
          pending.delete(message.id);
          waiting.settle(message);
        } else if (message.type === 'error') onError(errorOf(message) as DevtoolsWireError);
        return;
      }
    }
  };

  link = openRemoteLink({
    url: socketUrl,
    Socket,
    initialDelayMs,
    maxDelayMs,
    onOpen: () => void (eventListeners.size > 0 && send({ type: 'watchEvents', watch: true })),
    onMessage(text) {
      let message: ServerMessage;
      try {
        message = decodeServerMessage(text);
      } catch (error) {
        onError(error instanceof DevtoolsWireError ? error : new DevtoolsWireError('bad-message', null, String(error)));
        return;
      }
      receive(message);
    },
    onDown() {
      for (const [id, waiting] of pending) {
        pending.delete(id);
        waiting.fail(new DevtoolsDisconnectedError(socketUrl));
      }
      if (status !== 'closed') setStatus('connecting');
    },
  });

  const fetchRequestOf = async (taskId: string): Promise<ScheduleRequest | undefined> => {
    const reply = await command({ type: 'requestOf', id: `r${++nextId}`, taskId });
    if (reply.type === 'error') throw errorOf(reply);
    if (reply.type !== 'requestOf' || reply.request === null) return undefined;
    const request = reply.request as ScheduleRequest;
    requests.set(taskId, request);
    return request;
  };

  const run = async (message: ClientMessage & { id: string }): Promise<void> => {
    const reply = await command(message);
    if (reply.type === 'error') throw errorOf(reply);
  };

  return {
    tasks() {
      listed ??= [...mirror.values()];
      return listed;
    },
    subscribeTasks(listener) {
      const entry = () => listener();
      taskListeners.add(entry);
      return () => void taskListeners.delete(entry);
    },
    watchTaskEvents(listener) {
      const entry = (event: DevtoolsTaskEvent) => listener(event);
      eventListeners.add(entry);
      if (eventListeners.size === 1) send({ type: 'watchEvents', watch: true });
      return () => {
        if (!eventListeners.delete(entry) || eventListeners.size > 0) return;
        send({ type: 'watchEvents', watch: false });
      };
    },
    requestOf(taskId) {
      const known = requests.get(taskId);
      // Not mirrored yet (a dormant task listed before its request was seen): ask, and say when it came.
      if (known === undefined && status === 'open' && mirror.has(taskId) && !fetching.has(taskId)) {
        fetching.add(taskId);
        fetchRequestOf(taskId).then(
          (request) => void (request && notify()),
          () => fetching.delete(taskId),
        );
      }
      return known;
    },
    cancel: (taskId) => run({ type: 'cancel', id: `c${++nextId}`, taskId }),
    schedule: (request) => run({ type: 'schedule', id: `s${++nextId}`, request: request as Record<string, unknown> }),
    now: () => Date.now() + clockOffset,
    status: () => status,
    fetchRequestOf,
    close() {
      setStatus('closed');
      link?.close();
    },
  };
}
