// Imported first by bench/indexeddb-cold.page.ts: ES modules run in import order, so this reads the
// clock before the bundled library code (errand, idb, zod, xstate) is evaluated — "page script start".
// A value the page uses, not a bare side-effect import: package.json says "sideEffects": false, so
// esbuild would drop `import './indexeddb-cold-clock.js'`.
export const scriptStart = performance.now();
