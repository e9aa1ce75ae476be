// The WebSocket under remoteDevtoolsSource, kept up: when it closes it is opened again after a delay
// that doubles from `initialDelayMs` up to `maxDelayMs`, with jitter, until close().
/** What the link needs of a WebSocket: the browser's, or the `ws` package's in Node 20. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

const OPEN = 1;

export interface RemoteLinkOptions {
  url: string;
  Socket: WebSocketConstructor;
  initialDelayMs: number;
  maxDelayMs: number;
  /** A socket opened (a first connection or a reconnection). */
  onOpen(): void;
  /** A text frame arrived (binary frames are not devtools messages and are ignored). */
  onMessage(text: string): void;
  /** The socket closed; the link reconnects unless closed. */
  onDown(): void;
}

export interface RemoteLink {
  /** Sends on the open socket; false when there is none. */
  send(text: string): boolean;
  /** The connection proved good (the server's first message came): the next failure waits the shortest delay again. */
  resetBackoff(): void;
  close(): void;
}

export function openRemoteLink(options: RemoteLinkOptions): RemoteLink {
  let socket: WebSocketLike | null = null;
  let failures = 0;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let closed = false;

  const connect = () => {
    retry = null;
    if (closed) return;
    const current = new options.Socket(options.url);
    socket = current;
    current.addEventListener('open', () => void (socket === current && options.onOpen()));
    current.addEventListener('message', (event) => {
      if (socket === current && typeof event.data === 'string') options.onMessage(event.data);
    });
    current.addEventListener('close', () => {
      if (socket !== current) return;
      socket = null;
      options.onDown();
      if (closed) return;
      const delay = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** failures);
      failures = Math.min(failures + 1, 30);
      // Jitter: many tabs reconnecting to a restarted server do not all arrive at once.
      retry = setTimeout(connect, delay * (0.5 + Math.random() / 2));
    });
    // An error is followed by close, which reconnects.
    current.addEventListener('error', () => {});
  };
  connect();

  return {
    send(text) {
      if (!socket || socket.readyState !== OPEN) return false;
      socket.send(text);
      return true;
    },
    resetBackoff() {
      failures = 0;
    },
    close() {
      closed = true;
      if (retry) clearTimeout(retry);
      retry = null;
      socket?.close(1000, 'closed by the client');
    },
  };
}
