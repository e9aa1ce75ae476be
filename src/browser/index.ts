// errand/browser: platform adapters that read what a browser reports, and the IndexedDB store.
export { browserPlatform, type BrowserPlatformOptions } from '../../adapters/platforms/browser-platform.js';
export {
  indexedDbStore,
  INDEXEDDB_SCHEMA_VERSION,
  type IndexedDbStore,
  type IndexedDbStoreOptions,
  type IndexedDbQuarantineEntry,
} from '../../adapters/stores/indexeddb-store.js';
export { StoreOpenError, StoreWriteError } from '../core/errors.js';
export { tabCoordinator, type TabCoordinatorOptions } from '../../adapters/coordination/tab-coordinator.js';
export {
  registerBackgroundSync,
  registerPeriodicSync,
  type BackgroundSyncOptions,
  type BackgroundSyncSubscription,
  type PeriodicSyncOptions,
} from './background-sync.js';
export { leaderLockName, syncTagFor } from '../../adapters/coordination/names.js';
