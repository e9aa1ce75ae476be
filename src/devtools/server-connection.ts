// One devtools client on the server's WebSocket: first the tasks known now, then every change (and
// task events while it asks for them); its cancel/schedule/requestOf commands answered by id.
// A message it cannot read gets a typed error reply; nothing it sends can stop the server.
import type { WebSocket } from 'ws';
import { ValidationError } from '../core/errors.js';
import type { ScheduleRequest } from '../core/schemas.js';
import type { DevtoolsOrchestrator, ServerFeed } from './server-feed.js';
import { decodeClientMessage, DevtoolsWireError, encodeMessage, type ClientMessage, type ServerMessage, type WireError } from './wire.js';

/** A client this far behind (bytes queued) is dropped; it reconnects to a fresh snapshot. */
const MAX_BUFFERED = 16 * 1024 * 1024;

function errorReply(id: string | null, error: unknown): WireError {
  if (error instanceof DevtoolsWireError) return { type: 'error', id, code: error.code, field: error.field, name: error.name, message: error.message };
  if (error instanceof ValidationError) return { type: 'error', id, code: 'invalid', field: error.field, name: error.name, message: error.message };
  // Another error of errand's (TaskCancelledError after shutdown) or the store's: its name and message.
  if (error instanceof Error) return { type: 'error', id, code: 'failed', field: null, name: error.name, message: error.message };
  return { type: 'error', id, code: 'failed', field: null, name: 'Error', message: String(error) };
}

export function serveConnection(socket: WebSocket, feed: ServerFeed, orchestrator: DevtoolsOrchestrator, onError: (error: unknown) => void): void {
  const send = (message: ServerMessage) => {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED) {
      socket.terminate();
      return;
    }
    let text: string;
    try {
      text = encodeMessage(message);
    } catch (error) {
      // A value superjson cannot write (a throwing getter in an outcome): the client hears of it, the rest goes on.
      text = encodeMessage(errorReply('id' in message && typeof message.id === 'string' ? message.id : null, error));
    }
    socket.send(text);
  };

  // Changes that happen while the first snapshot is read wait for it, so the client never sees one go back.
  let queued: ServerMessage[] | null = [];
  const sendChange = (message: ServerMessage) => (queued ? queued.push(message) : send(message));
  const stopChanges = feed.onTaskChanged((task, request) => sendChange({ type: 'taskChanged', now: orchestrator.now(), task, request }));
  let stopEvents: (() => void) | null = null;

  feed.snapshot().then(
    ({ tasks, requests }) => {
      send({ type: 'tasks', now: orchestrator.now(), tasks, requests });
      for (const message of queued ?? []) send(message);
      queued = null;
    },
    (error: unknown) => {
      onError(error);
      socket.close(1011, 'devtools: could not list tasks');
    },
  );

  const answer = async (message: ClientMessage): Promise<ServerMessage | null> => {
    switch (message.type) {
      case 'cancel':
        await orchestrator.cancel(message.taskId);
        return { type: 'done', id: message.id };
      case 'schedule':
        // The orchestrator's schema checks the request and names any bad field (a ValidationError).
        await orchestrator.schedule(message.request as ScheduleRequest);
        if (typeof message.request.taskId === 'string') feed.remember(message.request.taskId, message.request as ScheduleRequest);
        return { type: 'done', id: message.id };
      case 'requestOf':
        return { type: 'requestOf', id: message.id, request: feed.requestOf(message.taskId) ?? null };
      case 'watchEvents':
        if (message.watch) stopEvents ??= feed.watchEvents((event) => sendChange({ type: 'taskEvent', now: orchestrator.now(), event }));
        else {
          stopEvents?.();
          stopEvents = null;
        }
        return null;
    }
  };

  socket.on('message', (data, isBinary) => {
    let message: ClientMessage;
    try {
      if (isBinary) throw new DevtoolsWireError('bad-json', null, 'is a binary frame; devtools messages are superjson text');
      message = decodeClientMessage(data.toString());
    } catch (error) {
      // A command with a readable id is answered by it, so its caller's promise settles.
      send(errorReply(error instanceof DevtoolsWireError ? error.messageId : null, error));
      return;
    }
    const id = 'id' in message ? message.id : null;
    answer(message).then(
      (reply) => void (reply && send(reply)),
      (error: unknown) => send(errorReply(id, error)),
    );
  });

  socket.on('error', onError);
  socket.on('close', () => {
    stopChanges();
    stopEvents?.();
    stopEvents = null;
  });
}
