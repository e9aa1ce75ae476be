// errand/devtools: an in-app panel for errand's tasks (<ErrandDevtools />), drawn from the task machine itself,
// offline; the panel's code loads the first time it is opened. What it reads is a DevtoolsSource: an
// orchestrator in this page (devtoolsSourceOf), or one in a Node process over devtoolsServer's WebSocket
// (remoteDevtoolsSource; the server is errand/devtools/node).
export { ErrandDevtools, type ErrandDevtoolsProps } from './toggle.js';
export { devtoolsSourceOf, type DevtoolsOrchestrator, type LocalSourceOptions } from './local-source.js';
export type { DevtoolsSource, DevtoolsTaskEvent } from './source.js';
export type { DevtoolsPosition } from './panel.js';
export { TaskStatechart, type TaskStatechartProps } from './statechart-view.js';
export { statechartOf, ANY_STATE, type Statechart, type ChartState, type ChartEdge, type ChartStep, type MachineLike } from './statechart.js';
export { describeError, causeChain, jsonSafe, type ErrorDescription } from './json-safe.js';
export {
  remoteDevtoolsSource,
  DevtoolsDisconnectedError,
  type RemoteDevtoolsSource,
  type RemoteDevtoolsSourceOptions,
  type RemoteStatus,
} from './remote-source.js';
export type { WebSocketConstructor, WebSocketLike } from './remote-link.js';
export { DevtoolsWireError, type WireErrorCode } from './wire.js';
