// The narrow slice of react-native's published declarations errand compiles against (tsconfig `paths`):
// AppState's. The package's full declarations declare globals (a `setTimeout` returning number) that
// would retype Node's timers in errand's own sources. Users' apps resolve 'react-native' to the real package.
import type AppStateModule from '../node_modules/react-native/types_generated/Libraries/AppState/AppState.js';

export type { AppStateEvent, AppStateStatus } from '../node_modules/react-native/types_generated/Libraries/AppState/AppState.js';
export type { EventSubscription } from '../node_modules/react-native/types_generated/Libraries/vendor/emitter/EventEmitter.js';
export declare const AppState: typeof AppStateModule;
