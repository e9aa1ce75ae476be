// errand/devtools: what the devtools panel reads (DevtoolsSource) and the source for an orchestrator in
// another process (remoteDevtoolsSource, over devtoolsServer's WebSocket; the server is errand/devtools/node).
export type { DevtoolsSource, DevtoolsTaskEvent } from './source.js';
export {
  remoteDevtoolsSource,
  DevtoolsDisconnectedError,
  type RemoteDevtoolsSource,
  type RemoteDevtoolsSourceOptions,
  type RemoteStatus,
} from './remote-source.js';
export type { WebSocketConstructor, WebSocketLike } from './remote-link.js';
export { DevtoolsWireError, type WireErrorCode } from './wire.js';
