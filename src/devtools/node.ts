// errand/devtools/node: the devtools panel served from a Node process (needs the `ws` package).
export { devtoolsServer, DEVTOOLS_SOCKET_PATH, type DevtoolsOrchestrator, type DevtoolsServer, type DevtoolsServerOptions } from './server.js';
export { DevtoolsWireError, type WireErrorCode } from './wire.js';
