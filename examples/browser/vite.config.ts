// `npm run example:browser`: serves this example with Vite. `errand`, `errand/browser`, `errand/react` and
// `errand/service-worker` are aliased to the repository's sources, so it runs from a fresh clone without a build.
//
// The service worker (sw.ts) is at /sw.js in both: `vite build` emits it as a second entry at that stable
// path (next to index.html, so its scope is the whole app, `/`), and the dev server answers /sw.js with the
// TS file as it serves it (an ES module whose imports it serves too). Registered with `{ type: 'module' }`.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const source = (entry: string) => fileURLToPath(new URL(`../../src/${entry}`, import.meta.url));

/** `vite` dev: /sw.js is sw.ts, transformed as any module of the app (no build step for the worker). */
const serviceWorkerInDev: Plugin = {
  name: 'errand-example:service-worker-in-dev',
  apply: 'serve',
  configureServer(server) {
    server.middlewares.use((req, _res, next) => {
      if (req.url === '/sw.js' || req.url?.startsWith('/sw.js?')) req.url = `/sw.ts${req.url.slice('/sw.js'.length)}`;
      next();
    });
  },
};

export default defineConfig({
  root: here,
  plugins: [react(), serviceWorkerInDev],
  resolve: {
    alias: [
      { find: /^errand$/, replacement: source('index.ts') },
      { find: /^errand\/browser$/, replacement: source('browser/index.ts') },
      { find: /^errand\/react$/, replacement: source('react/index.ts') },
      { find: /^errand\/service-worker$/, replacement: source('service-worker/index.ts') },
    ],
  },
  build: {
    rolldownOptions: {
      input: { index: fileURLToPath(new URL('./index.html', import.meta.url)), sw: fileURLToPath(new URL('./sw.ts', import.meta.url)) },
      output: { entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js') },
    },
  },
  server: { host: 'localhost', port: 5173 },
});
