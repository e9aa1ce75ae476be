// `npm run build`, after tsc: bundles the devtools page's script (src/devtools/server-app.tsx: the panel
// and React) into dist/devtools-page/app.js, the file devtoolsServer serves from a published package.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlePageScript } from '../src/devtools/server-page.js';

const entry = fileURLToPath(new URL('../src/devtools/server-app.tsx', import.meta.url));
const outfile = fileURLToPath(new URL('../dist/devtools-page/app.js', import.meta.url));
await mkdir(dirname(outfile), { recursive: true });
const script = await bundlePageScript(entry, outfile);
console.log(`devtools page: ${outfile} (${Math.round(script.length / 1024)} KiB)`);
