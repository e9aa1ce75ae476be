// The page devtoolsServer serves: a shell, and the panel's script (src/devtools/server-app.tsx, with
// React and the panel in it). `npm run build` bundles that script into dist/devtools-page/app.js
// (scripts/build-devtools-page.ts), which a published package serves as is. Running from the
// sources (tsx, vitest) there is no such file: the script is bundled on first request with esbuild,
// a devDependency of errand's, so the page always shows the panel of the code being run.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** Where `npm run build` writes the page's script, relative to this module (dist/src/devtools/). */
export const BUILT_PAGE_SCRIPT = new URL('../../devtools-page/app.js', import.meta.url);

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** The page's HTML. The token, when the server has one, goes on the script's URL (the page's own came with it). */
export function pageHtml(token: string | undefined): string {
  const script = `./app.js${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>errand devtools</title>
<style>html,body{margin:0;font:14px system-ui,sans-serif;background:#fafafa;color:#1a1a1a}#root{padding:12px}</style>
</head>
<body>
<div id="root" data-devtools-root></div>
<script type="module" src="${escapeHtml(script)}"></script>
</body>
</html>
`;
}

/** The entry the page's script is bundled from, next to this module (a .tsx in the sources, its .js in dist). */
function appEntry(): string | null {
  for (const name of ['./server-app.tsx', './server-app.js']) {
    const path = fileURLToPath(new URL(name, import.meta.url));
    if (existsSync(path)) return path;
  }
  return null;
}

/** Bundles the page's script for the browser (React in production mode, minified). */
export async function bundlePageScript(entry: string, outfile?: string): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: outfile !== undefined,
    ...(outfile === undefined ? {} : { outfile }),
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  if (outfile !== undefined) return readFile(outfile, 'utf8');
  const file = result.outputFiles?.[0];
  if (!file) throw new Error(`esbuild produced nothing for ${entry}`);
  return file.text;
}

/** The page's script: the built file when there is one, else bundled from the entry. */
export async function loadPageScript(): Promise<string> {
  const built = fileURLToPath(BUILT_PAGE_SCRIPT);
  if (existsSync(built)) return readFile(built, 'utf8');
  const entry = appEntry();
  if (!entry) throw new Error(`the devtools page is not built: ${built} is missing (run npm run build)`);
  return bundlePageScript(entry);
}
