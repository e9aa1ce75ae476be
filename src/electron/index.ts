// errand/electron: the main process's conditions (powerMonitor, net) and a clock that survives sleep.
// The main process keeps work in sqliteStore (errand/node); the renderer uses browserPlatform (errand/browser).
export {
  electronPlatform,
  type ElectronPlatform,
  type ElectronPlatformOptions,
  type PowerMonitorModule,
  type NetModule,
} from '../../adapters/platforms/electron-platform.js';
export { ResumableClock } from '../../adapters/platforms/resumable-clock.js';
