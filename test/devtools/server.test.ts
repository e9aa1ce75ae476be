import { request as httpRequest } from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { remoteDevtoolsSource, DevtoolsDisconnectedError, DevtoolsWireError, type RemoteDevtoolsSource } from '../../src/devtools/index.js';
import { devtoolsServer, type DevtoolsServer } from '../../src/devtools/node.js';
import type { DevtoolsTaskEvent } from '../../src/devtools/source.js';
import { decodeServerMessage, encodeMessage, type ServerMessage } from '../../src/devtools/wire.js';
import { ValidationError } from '../../src/index.js';
import { aborted, deferred, failOnUnhandledRejections, setup } from '../support.js';

failOnUnhandledRejections();

const TOKEN = 'a-secret-token-0123456789';
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(options: Omit<Parameters<typeof devtoolsServer>[0], 'orchestrator'> & { orchestrator: Parameters<typeof devtoolsServer>[0]['orchestrator'] }): Promise<DevtoolsServer> {
  const server = await devtoolsServer(options);
  cleanups.push(() => server.close());
  return server;
}

function connect(url: string, reconnect?: { initialDelayMs: number; maxDelayMs: number }): RemoteDevtoolsSource {
  const source = remoteDevtoolsSource({ url, WebSocket, ...(reconnect ? { reconnect } : {}) });
  cleanups.push(() => source.close());
  return source;
}

const statusOf = (source: RemoteDevtoolsSource, taskId: string) => source.tasks().find((task) => task.taskId === taskId)?.status;

/** A raw WebSocket client of the server, keeping every message it got. */
async function rawClient(url: string, headers: Record<string, string> = {}) {
  const socket = new WebSocket(url, { headers });
  cleanups.push(() => socket.terminate());
  const messages: ServerMessage[] = [];
  socket.on('message', (data) => messages.push(decodeServerMessage(data.toString())));
  await new Promise<void>((open, fail) => {
    socket.once('open', () => open());
    socket.once('error', fail);
  });
  return { socket, messages };
}

/** The HTTP status a WebSocket handshake to `url` is answered with (101 when it opens). */
function handshakeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((settle) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => {
      socket.terminate();
      settle(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      settle(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', () => undefined);
  });
}

/** GET `path` with these headers; the status and body. */
function get(port: number, path: string, headers: Record<string, string> = {}, host = '127.0.0.1'): Promise<{ status: number; body: string }> {
  return new Promise((settle, fail) => {
    const request = httpRequest({ host, port, path, headers }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => settle({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', fail);
    request.end();
  });
}

/** This machine's first non-loopback IPv4 address, or 127.0.0.1 when it has none. */
function reachableAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return '127.0.0.1';
}

describe('devtoolsServer and remoteDevtoolsSource', () => {
  it('a client sees the task list, then a task change state live, with its request and outcome', async () => {
    const { orchestrator, clock } = setup();
    const release = deferred<{ at: Date }>();
    orchestrator.register('job', () => release.promise);
    await orchestrator.start();
    cleanups.push(() => orchestrator.shutdown());
    await orchestrator.schedule({ taskId: 'job/1', initialDelayMs: 1_000, input: { when: new Date(5) } });

    const server = await serve({ orchestrator });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    const source = connect(server.url);
    await vi.waitFor(() => expect(statusOf(source, 'job/1')).toBe('pending'));
    expect(source.status()).toBe('open');
    // superjson on the wire: the input comes back a Date.
    expect(source.requestOf('job/1')).toMatchObject({ taskId: 'job/1', initialDelayMs: 1_000, input: { when: new Date(5) } });
    expect(source.now()).toBeGreaterThan(0);

    const changes: string[] = [];
    source.subscribeTasks(() => changes.push(statusOf(source, 'job/1') ?? '?'));
    await clock.advance(1_000);
    await vi.waitFor(() => expect(statusOf(source, 'job/1')).toBe('running'));
    release.resolve({ at: new Date(9) });
    await clock.advance(0);
    await vi.waitFor(() => expect(statusOf(source, 'job/1')).toBe('done'));
    expect(source.tasks().find((task) => task.taskId === 'job/1')?.outcome).toEqual({ ok: true, value: { at: new Date(9) } });
    expect(changes).toContain('running');
  });

  it('a failed outcome arrives as an Error with its cause chain', async () => {
    const { orchestrator, clock } = setup();
    orchestrator.register('fails', async () => {
      throw new TypeError('outer', { cause: new RangeError('inner') });
    });
    await orchestrator.start();
    cleanups.push(() => orchestrator.shutdown());
    await orchestrator.schedule({ taskId: 'fails', backoff: { maxAttempts: 1 } });
    await clock.advance(0);
    const server = await serve({ orchestrator });
    const source = connect(server.url);
    await vi.waitFor(() => expect(statusOf(source, 'fails')).toBe('done'));
    const outcome = source.tasks().find((task) => task.taskId === 'fails')?.outcome;
    expect(outcome?.ok).toBe(false);
    const error = outcome && !outcome.ok ? outcome.error : undefined;
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('WorkFailedError');
    const cause = (error as Error).cause as Error;
    expect(cause).toMatchObject({ name: 'TypeError', message: 'outer' });
    expect(cause.cause).toMatchObject({ name: 'RangeError', message: 'inner' });
  });

  it('task events: the inspection observer is attached only while a client watches, and a pre-empting runNow shows running -> running', async () => {
    const { orchestrator, clock } = setup();
    // Runs until aborted (pre-empted, cancelled, shut down).
    orchestrator.register('slow', ({ signal }) => aborted(signal).then(() => Promise.reject(signal.reason)));
    await orchestrator.start();
    cleanups.push(() => orchestrator.shutdown());
    const inspect = vi.spyOn(orchestrator, 'inspect');
    const server = await serve({ orchestrator });
    const source = connect(server.url);
    await vi.waitFor(() => expect(source.status()).toBe('open'));
    expect(inspect).not.toHaveBeenCalled();

    const events: DevtoolsTaskEvent[] = [];
    const unwatch = source.watchTaskEvents((event) => events.push(event));
    await vi.waitFor(() => expect(inspect).toHaveBeenCalledTimes(1));
    const subscription = inspect.mock.results[0]?.value as { unsubscribe(): void };
    const detached = vi.spyOn(subscription, 'unsubscribe');

    await orchestrator.schedule({ taskId: 'slow', input: { n: 1 } });
    await clock.advance(0);
    await vi.waitFor(() => expect(statusOf(source, 'slow')).toBe('running'));
    const preempting = orchestrator.runNow('slow', ({ signal }) => aborted(signal).then(() => Promise.reject(signal.reason)));
    preempting.catch(() => {});
    await vi.waitFor(() => expect(events.map((e) => e.type)).toContain('RUN_NOW'));

    const slow = events.filter((e) => e.taskId === 'slow');
    // Due at once: the actor's first snapshot is already past pending.
    expect(slow[0]).toMatchObject({ type: 'xstate.init', from: null, to: 'running' });
    expect(slow.find((e) => e.type === 'RUN_NOW')).toMatchObject({ from: 'running', to: 'running' });
    // The SCHEDULE's worker function is described, its request sent as data.
    const init = slow[0]?.detail as { input?: { work?: { run?: unknown; request?: { taskId?: string } } } };
    expect(init.input?.work?.run).toMatch(/^\[function/);
    expect(init.input?.work?.request?.taskId).toBe('slow');
    expect(init.input).not.toHaveProperty('env');
    expect(slow.every((e) => typeof e.at === 'number')).toBe(true);

    unwatch();
    await vi.waitFor(() => expect(detached).toHaveBeenCalled());
    const seen = events.length;
    await orchestrator.cancel('slow');
    await vi.waitFor(() => expect(statusOf(source, 'slow')).toBe('cancelled'));
    expect(events.length).toBe(seen);

    // A client that goes away takes its watch with it.
    source.watchTaskEvents(() => {});
    await vi.waitFor(() => expect(inspect).toHaveBeenCalledTimes(2));
    const second = vi.spyOn(inspect.mock.results[1]?.value as { unsubscribe(): void }, 'unsubscribe');
    source.close();
    await vi.waitFor(() => expect(second).toHaveBeenCalled());
  });

  it('cancel and schedule commands work, and bad requests reject with the ValidationError naming the field', async () => {
    const { orchestrator } = setup();
    orchestrator.register('job', async () => 'ok');
    await orchestrator.start();
    cleanups.push(() => orchestrator.shutdown());
    const server = await serve({ orchestrator });
    const source = connect(server.url);
    await vi.waitFor(() => expect(source.status()).toBe('open'));

    // Due in a minute: dormant, only a record in the store (no actor to read its request from).
    await source.schedule({ taskId: 'job/2', initialDelayMs: 60_000, input: { tags: new Set(['a']) } });
    expect((await orchestrator.getTask('job/2'))?.status).toBe('pending');
    await vi.waitFor(() => expect(statusOf(source, 'job/2')).toBe('pending'));
    // "Run again": the server remembers what it scheduled; the input crossed as a Set, both ways.
    expect(await source.fetchRequestOf('job/2')).toMatchObject({ taskId: 'job/2', initialDelayMs: 60_000, input: { tags: new Set(['a']) } });
    expect(source.requestOf('job/2')).toMatchObject({ taskId: 'job/2', input: { tags: new Set(['a']) } });

    await source.cancel('job/2');
    expect((await orchestrator.getTask('job/2'))?.status).toBe('cancelled');
    await vi.waitFor(() => expect(statusOf(source, 'job/2')).toBe('cancelled'));

    const badId = await source.schedule({ taskId: 'no spaces allowed' }).catch((error: unknown) => error);
    expect(badId).toBeInstanceOf(ValidationError);
    expect((badId as ValidationError).field).toBe('taskId');
    const badDelay = await source.schedule({ taskId: 'job/3', initialDelayMs: -1 }).catch((error: unknown) => error);
    expect((badDelay as ValidationError).field).toBe('initialDelayMs');
    const badCancel = await source.cancel('').catch((error: unknown) => error);
    expect((badCancel as ValidationError).field).toBe('taskId');
    expect(await source.fetchRequestOf('job/never')).toBeUndefined();
    // Not even an object: the server's shape check answers the command by its id.
    const notARequest = await source.schedule(null as never).catch((error: unknown) => error);
    expect(notARequest).toBeInstanceOf(DevtoolsWireError);
    expect(notARequest).toMatchObject({ code: 'bad-message', field: 'request' });
    expect((notARequest as Error).message).toMatch(/^request: [^:]/);
  });

  it('answers bad messages with typed errors and keeps serving', async () => {
    const { orchestrator } = setup();
    await orchestrator.start();
    cleanups.push(() => orchestrator.shutdown());
    const reported: unknown[] = [];
    const server = await serve({ orchestrator, onError: (error) => reported.push(error) });
    const { socket, messages } = await rawClient(`ws://127.0.0.1:${server.port}/ws`);
    await vi.waitFor(() => expect(messages[0]?.type).toBe('tasks'));
    const errors = () => messages.filter((m) => m.type === 'error');

    socket.send('this is not json');
    socket.send(JSON.stringify({ type: 'cancel' }));
    socket.send(JSON.stringify({ json: { type: 'cancel', id: 'c1' } }));
    socket.send(JSON.stringify({ json: { type: 'explode', id: 'x1' } }));
    socket.send(Buffer.from([1, 2, 3]), { binary: true });
    await vi.waitFor(() => expect(errors()).toHaveLength(5));
    expect(errors().map((e) => e.type === 'error' && [e.code, e.field, e.id])).toEqual([
      ['bad-json', null, null],
      ['bad-json', null, null],
      ['bad-message', 'taskId', 'c1'],
      ['bad-message', 'type', 'x1'],
      ['bad-json', null, null],
    ]);

    // A well-formed command for a bad TaskId: the orchestrator's ValidationError, by its id.
    socket.send(encodeMessage({ type: 'cancel', id: 'c2', taskId: '' }));
    await vi.waitFor(() => expect(messages.find((m) => m.type === 'error' && m.id === 'c2')).toMatchObject({ code: 'invalid', field: 'taskId', name: 'ValidationError' }));
    socket.send(encodeMessage({ type: 'requestOf', id: 'q1', taskId: 'nothing' }));
    await vi.waitFor(() => expect(messages.find((m) => m.type === 'requestOf')).toEqual({ type: 'requestOf', id: 'q1', request: null }));

    // Megabytes in one message: that client is cut off (1009), the server serves the next one.
    const closed = new Promise<number>((settle) => socket.once('close', (code) => settle(code)));
    socket.send('x'.repeat(2 * 1024 * 1024));
    expect(await closed).toBe(1009);
    await vi.waitFor(() => expect(reported.map(String).join()).toMatch(/payload/i));
    const next = await rawClient(`ws://127.0.0.1:${server.port}/ws`);
    await vi.waitFor(() => expect(next.messages[0]?.type).toBe('tasks'));
  });

  it('reconnects with backoff after the server goes away; commands meanwhile reject with DevtoolsDisconnectedError', async () => {
    const { orchestrator } = setup();
    orchestrator.register('job', async () => 'ok');
    await orchestrator.start();
    cleanups.push(() => orchestrator.shutdown());
    const first = await devtoolsServer({ orchestrator });
    const source = connect(first.url, { initialDelayMs: 20, maxDelayMs: 100 });
    await vi.waitFor(() => expect(source.status()).toBe('open'));
    await first.close();
    await vi.waitFor(() => expect(source.status()).toBe('connecting'));
    await expect(source.cancel('job/1')).rejects.toBeInstanceOf(DevtoolsDisconnectedError);

    await orchestrator.schedule({ taskId: 'job/while-away', initialDelayMs: 60_000 });
    await serve({ orchestrator, port: first.port });
    await vi.waitFor(() => expect(statusOf(source, 'job/while-away')).toBe('pending'), { timeout: 5_000 });
    expect(source.status()).toBe('open');
  });


  it('costs nothing while no client is connected: listeners come with the first client and go with close()', async () => {
    const { orchestrator } = setup();
    await orchestrator.start();
    cleanups.push(() => orchestrator.shutdown());
    // Every subscription the orchestrator hands out, with a spy on its unsubscribe.
    const subscribe = orchestrator.subscribe.bind(orchestrator);
    const unsubscribes: Array<ReturnType<typeof vi.fn>> = [];
    const subscribed = vi.spyOn(orchestrator, 'subscribe').mockImplementation((listener, options) => {
      const unsubscribe = vi.fn(subscribe(listener, options));
      unsubscribes.push(unsubscribe);
      return unsubscribe;
    });
    const server = await devtoolsServer({ orchestrator });
    expect(subscribed).not.toHaveBeenCalled();
    const source = connect(server.url);
    const other = connect(server.url);
    await vi.waitFor(() => expect([source.status(), other.status()]).toEqual(['open', 'open']));
    // One orchestrator listener for the server, however many clients.
    expect(subscribed).toHaveBeenCalledTimes(1);
    expect(unsubscribes[0]).not.toHaveBeenCalled();
    await server.close();
    await vi.waitFor(() => expect(unsubscribes[0]).toHaveBeenCalledTimes(1));
    await vi.waitFor(() => expect(source.status()).toBe('connecting'));
  });
});

describe('remoteDevtoolsSource options', () => {
  it('refuses bad options with a ValidationError naming the field', () => {
    const fieldOf = (make: () => unknown) => {
      try {
        make();
      } catch (error) {
        return error instanceof ValidationError ? error.field : `not a ValidationError: ${String(error)}`;
      }
      return 'nothing thrown';
    };
    expect(fieldOf(() => remoteDevtoolsSource({ url: 'not a url', WebSocket }))).toBe('url');
    expect(fieldOf(() => remoteDevtoolsSource({ url: 'ftp://127.0.0.1/', WebSocket }))).toBe('url');
    // Where there is no global WebSocket (Node 20; stubbed away on a Node that has one).
    vi.stubGlobal('WebSocket', undefined);
    try {
      expect(fieldOf(() => remoteDevtoolsSource({ url: 'http://127.0.0.1:1/' }))).toBe('WebSocket');
    } finally {
      vi.unstubAllGlobals();
    }
    expect(fieldOf(() => remoteDevtoolsSource({ url: 'http://127.0.0.1:1/', WebSocket, reconnect: { initialDelayMs: 0 } }))).toBe('reconnect.initialDelayMs');
    expect(fieldOf(() => remoteDevtoolsSource({ url: 'http://127.0.0.1:1/', WebSocket, reconnect: { initialDelayMs: 500, maxDelayMs: 100 } }))).toBe('reconnect.maxDelayMs');
  });
});

describe('devtoolsServer access', () => {
  it('refuses to bind off loopback without a token, naming token', async () => {
    const { orchestrator } = setup();
    const refused = await devtoolsServer({ orchestrator, host: '0.0.0.0' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).field).toBe('token');
    const short = await devtoolsServer({ orchestrator, token: 'short' }).catch((error: unknown) => error);
    expect((short as ValidationError).field).toBe('token');
    const typo = await devtoolsServer({ orchestrator, prot: 1 } as never).catch((error: unknown) => error);
    expect((typo as ValidationError).field).toBe('prot');
    const noOrchestrator = await devtoolsServer({} as never).catch((error: unknown) => error);
    expect((noOrchestrator as ValidationError).field).toBe('orchestrator');
  });

  it('bound off loopback with a token: the socket and the page are refused without it', async () => {
    const { orchestrator } = setup();
    orchestrator.register('job', async () => 'ok');
    await orchestrator.start();
    cleanups.push(() => orchestrator.shutdown());
    await orchestrator.schedule({ taskId: 'job/seen', initialDelayMs: 60_000 });
    const server = await serve({ orchestrator, host: '0.0.0.0', token: TOKEN });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${TOKEN}`);
    const address = reachableAddress();
    const socketUrl = `ws://${address}:${server.port}/ws`;

    expect(await handshakeStatus(socketUrl)).toBe(401);
    expect(await handshakeStatus(`${socketUrl}?token=wrong-token-0123456789`)).toBe(401);
    expect(await handshakeStatus(socketUrl, { authorization: 'Bearer wrong' })).toBe(401);
    expect(await handshakeStatus(`${socketUrl}?token=${TOKEN}`)).toBe(101);
    expect(await handshakeStatus(socketUrl, { authorization: `Bearer ${TOKEN}` })).toBe(101);

    expect((await get(server.port, '/', {}, address)).status).toBe(401);
    expect((await get(server.port, '/app.js', {}, address)).status).toBe(401);
    const page = await get(server.port, `/?token=${TOKEN}`, {}, address);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`./app.js?token=${TOKEN}`);

    // The source takes the token from the page's URL.
    const source = connect(`http://${address}:${server.port}/?token=${TOKEN}`);
    await vi.waitFor(() => expect(statusOf(source, 'job/seen')).toBe('pending'));
  });

  it('on loopback: a non-loopback Host (DNS rebinding) and a foreign Origin are refused', async () => {
    const { orchestrator } = setup();
    await orchestrator.start();
    cleanups.push(() => orchestrator.shutdown());
    const server = await serve({ orchestrator });
    const socketUrl = `ws://127.0.0.1:${server.port}/ws`;

    expect((await get(server.port, '/', { host: `attacker.example:${server.port}` })).status).toBe(403);
    expect((await get(server.port, '/', { host: `localhost:${server.port}` })).status).toBe(200);
    expect(await handshakeStatus(socketUrl, { host: `attacker.example:${server.port}` })).toBe(403);
    expect(await handshakeStatus(socketUrl, { origin: 'http://attacker.example' })).toBe(403);
    expect(await handshakeStatus(socketUrl, { origin: `http://127.0.0.1:${server.port}` })).toBe(101);
    expect(await handshakeStatus(`ws://127.0.0.1:${server.port}/elsewhere`)).toBe(403);
    expect((await get(server.port, '/nothing-here')).status).toBe(404);
  });
});
