// The narrow slice of react-native's published declarations errand compiles against (tsconfig `paths`):
// AppState's. The package's full declarations declare globals (a `setTimeout` returning number) that
// would retype Node's timers in errand's own sources. Users' apps resolve 'react-native' to the real package.
type AppStateFile = typeof import('../node_modules/react-native/types_generated/Libraries/AppState/AppState.js');

export type { AppStateEvent, AppStateStatus } from '../node_modules/react-native/types_generated/Libraries/AppState/AppState.js';
export type { EventSubscription } from '../node_modules/react-native/types_generated/Libraries/vendor/emitter/EventEmitter.js';
/** React Native's `AppState` (its file's default export, read through CommonJS interop). */
export declare const AppState: AppStateFile['default'];
