// devtoolsServer: the devtools panel for an orchestrator in a Node process, over HTTP + WebSocket
// (like bull-board for the local engine). Started explicitly, on 127.0.0.1 unless told otherwise;
// anywhere else only with a token, which every request must then carry.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { z } from 'zod';
import { ValidationError } from '../core/errors.js';
import { methodsOption, optionsObject, parseOptions } from '../core/option-checks.js';
import { isLoopbackHost, refusalOf, type AccessRules, type Refusal } from './server-access.js';
import { serveConnection } from './server-connection.js';
import { ServerFeed, type DevtoolsOrchestrator } from './server-feed.js';
import { loadPageScript, pageHtml } from './server-page.js';

export type { DevtoolsOrchestrator } from './server-feed.js';

export interface DevtoolsServerOptions {
  orchestrator: DevtoolsOrchestrator;
  /** Interface to bind; default '127.0.0.1'. Any non-loopback host needs `token`. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Required of every request (`?token=` or `Authorization: Bearer`) when given; mandatory off loopback. */
  token?: string;
  /** Called with errors of connections and of reading tasks; default console.error. */
  onError?: (error: unknown) => void;
}

export interface DevtoolsServer {
  /** The page's URL (with `?token=` when the server has one): open it in a browser. */
  url: string;
  port: number;
  /** Closes every client and the server; resolves once it no longer listens. */
  close(): Promise<void>;
}

/** The path of the WebSocket the page's remoteDevtoolsSource connects to. */
export const DEVTOOLS_SOCKET_PATH = '/ws';

const optionsSchema = optionsObject('devtoolsServer', {
  orchestrator: methodsOption<DevtoolsOrchestrator>('an Orchestrator', ['peekTasks', 'listTasks', 'subscribe', 'inspect', 'actorOf', 'cancel', 'schedule', 'now']),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(0),
  token: z.string().min(16, { error: 'must be at least 16 characters (a secret; crypto.randomUUID() makes one)' }).regex(/^\S+$/, 'must not contain whitespace').optional(),
  onError: z.custom<(error: unknown) => void>((value) => typeof value === 'function', { error: 'must be a function' }).optional(),
});

function refuseUpgrade(socket: Duplex, refusal: Refusal): void {
  const status = refusal.status === 401 ? '401 Unauthorized' : '403 Forbidden';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${refusal.reason}\n`);
  socket.destroy();
}

/** `ws` is an optional peer dependency: loaded when a server starts, with a message saying how to get it. */
async function loadWs(): Promise<typeof import('ws')> {
  try {
    return await import('ws');
  } catch (error) {
    throw new Error('errand/devtools/node needs the ws package (an optional peer dependency): npm install ws', { cause: error });
  }
}

/** Starts the devtools server for `orchestrator`; resolves once it listens. */
export async function devtoolsServer(options: DevtoolsServerOptions): Promise<DevtoolsServer> {
  const { orchestrator, host, port, token, onError = (error: unknown) => console.error('errand devtools:', error) } = parseOptions(optionsSchema, options, 'devtoolsServer');
  const loopback = isLoopbackHost(host);
  if (!loopback && token === undefined) {
    throw new ValidationError('token', `is required to bind devtoolsServer to ${host} (not loopback): anyone who can reach it could cancel and schedule work`);
  }
  const { WebSocketServer } = await loadWs();
  const rules: AccessRules = { loopback, token };
  const feed = new ServerFeed(orchestrator);
  let script: Promise<string> | null = null;

  const respond = (request: IncomingMessage, response: ServerResponse) => {
    const refusal = refusalOf(request, rules, false);
    if (refusal) {
      response.writeHead(refusal.status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${refusal.reason}\n`);
      return;
    }
    const path = new URL(request.url ?? '/', 'http://devtools.invalid').pathname;
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...headers, allow: 'GET, HEAD' }).end();
    } else if (path === '/') {
      response.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' }).end(pageHtml(token));
    } else if (path === '/app.js') {
      script ??= loadPageScript();
      script.then(
        (text) => response.writeHead(200, { ...headers, 'content-type': 'text/javascript; charset=utf-8' }).end(text),
        (error: unknown) => {
          script = null;
          onError(error);
          response.writeHead(500, { ...headers, 'content-type': 'text/plain; charset=utf-8' }).end(`${error instanceof Error ? error.message : String(error)}\n`);
        },
      );
    } else if (path === '/favicon.ico') {
      response.writeHead(204, headers).end();
    } else {
      response.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    }
  };

  const http = createServer(respond);
  // Commands are small; a client sending megabytes is cut off by ws.
  const sockets: WebSocketServer = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = new URL(request.url ?? '/', 'http://devtools.invalid').pathname === DEVTOOLS_SOCKET_PATH ? refusalOf(request, rules, true) : ({ status: 403, reason: 'no WebSocket here' } as const);
    if (refusal) return refuseUpgrade(socket, refusal);
    sockets.handleUpgrade(request, socket, head, (client) => serveConnection(client, feed, orchestrator, onError));
  });

  await new Promise<void>((listening, failed) => {
    http.once('error', failed);
    http.listen(port, host, () => {
      http.off('error', failed);
      listening();
    });
  });
  const bound = (http.address() as AddressInfo).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${bound}/${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;

  let closing: Promise<void> | null = null;
  return {
    url,
    port: bound,
    close() {
      closing ??= new Promise<void>((closed) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        http.close(() => closed());
        http.closeAllConnections();
      });
      return closing;
    },
  };
}
