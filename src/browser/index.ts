// errand/browser: platform adapters that read what a browser reports.
export { browserPlatform, type BrowserPlatformOptions } from '../../adapters/platforms/browser-platform.js';
