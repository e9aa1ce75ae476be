// Runs every bench/*.bench.ts in one process, one after another, and prints their reports.
// Figures are only comparable within one run: each bench measures its own baseline beside errand.
// `npm run bench` runs them all; `npm run bench -- <name> [--flags]` runs those whose file name contains <name>.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// The first argument that is not a flag picks benches by name; flags (--million) are for the benches.
const only = process.argv.slice(2).find((arg) => !arg.startsWith('--'));
const files = readdirSync(here)
  .filter((name) => name.endsWith('.bench.ts') && (!only || name.includes(only)))
  .sort();

console.log(`errand bench: node ${process.version}, ${new Date().toISOString()}`);
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: () => Promise<void> };
  console.log(`\n## ${file}`);
  await mod.default();
}
