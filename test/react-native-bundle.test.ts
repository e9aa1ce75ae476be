// errand/react-native must bundle for a phone: no Node built-in (node:fs, node:module, worker_threads),
// no native addon, and none of the React Native packages it only takes types from.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../src/react-native/index.ts', import.meta.url));

describe('react-native bundle', () => {
  it("bundles with Metro's main fields and no Node module; the RN packages are not in it", async () => {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      metafile: true,
      logLevel: 'silent',
      format: 'esm',
      platform: 'browser', // honours package.json's "browser" field, as Metro does
      mainFields: ['react-native', 'browser', 'module', 'main'],
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((path) => path.endsWith('src/react-native/os-wake-up.ts'))).toBe(true);
    expect(inputs.some((path) => path.includes('load-piscina.browser.ts'))).toBe(true);
    const forbidden = /node_modules\/(piscina|better-sqlite3|react-native|@react-native-community|expo-|electron)\b|\/sqlite-driver\.ts|\/sqlite-store\.ts|node-platform/;
    expect(inputs.filter((path) => forbidden.test(path))).toEqual([]);
  });
});
