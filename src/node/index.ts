// errand/node: what only runs on Node (native addons, the file system, the OS).
export {
  sqliteStore,
  SQLITE_SCHEMA_VERSION,
  type SqliteStore,
  type SqliteStoreOptions,
  type SqliteQuarantineEntry,
} from '../../adapters/stores/sqlite-store.js';
export { StoreOpenError } from '../core/errors.js';
export { nodePlatform, type NodePlatformOptions } from '../../adapters/platforms/node-platform.js';
