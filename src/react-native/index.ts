// errand/react-native: a phone's conditions (netinfo, AppState, expo-battery), a durable store on
// expo-sqlite, and runs of due work when the OS wakes the app. errand loads none of those packages:
// the app passes their modules in.
export {
  reactNativePlatform,
  networkOf,
  foregroundOf,
  type ReactNativePlatform,
  type ReactNativePlatformOptions,
  type NetInfoModule,
  type AppStateModule,
  type BatteryModule,
} from '../../adapters/platforms/react-native-platform.js';
export { expoSqliteStore, type ExpoSqliteStoreOptions } from '../../adapters/stores/expo-sqlite-store.js';
export { expoSqliteDriver, type ExpoSqliteDatabase } from '../../adapters/stores/expo-sqlite-driver.js';
export type { SqliteStore, SqliteQuarantineEntry } from '../../adapters/stores/sqlite-store-core.js';
export { SQLITE_SCHEMA_VERSION } from '../../adapters/stores/sqlite-schema.js';
export { StoreOpenError } from '../core/errors.js';
export { ResumableClock } from '../../adapters/platforms/resumable-clock.js';
export { runDueWorkOnWake, type WakeTarget, type WakeRunOptions, type WakeRunResult } from './os-wake-up.js';
export {
  backgroundFetchHandlers,
  type BackgroundFetchHandlers,
  type BackgroundFetchHandlersOptions,
  type BackgroundFetchModule,
} from './background-fetch.js';
export { expoBackgroundTask, type ExpoBackgroundTaskModule, type ExpoBackgroundTaskOptions } from './expo-background-task.js';
