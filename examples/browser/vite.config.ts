// `npm run example:browser`: serves this example with Vite. `errand`, `errand/browser` and `errand/react`
// are aliased to the repository's sources, so it runs from a fresh clone without a build.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const source = (entry: string) => fileURLToPath(new URL(`../../src/${entry}`, import.meta.url));

export default defineConfig({
  root: here,
  plugins: [react()],
  resolve: {
    alias: [
      { find: /^errand$/, replacement: source('index.ts') },
      { find: /^errand\/browser$/, replacement: source('browser/index.ts') },
      { find: /^errand\/react$/, replacement: source('react/index.ts') },
    ],
  },
  server: { host: 'localhost', port: 5173 },
});
