// README.md's ```ts and ```tsx samples are type-checked here as a user would compile them, so a sample
// that drifts from the API fails a test. Every block is its own virtual module (names never clash between
// blocks) in ONE program (src/ is checked once), with the options of tsconfig.json and `errand/*` mapped
// to the entry points in src/. A block that needs names from its surroundings declares them at its top.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Block {
  /** 1-based line of the opening fence in README.md. */
  line: number;
  file: string;
  code: string;
}

function extractBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  let open: { line: number; ext: string; code: string[] } | undefined;
  lines.forEach((text, index) => {
    if (!open) {
      const fence = /^```(ts|tsx)\s*$/.exec(text);
      if (fence?.[1]) open = { line: index + 1, ext: fence[1], code: [] };
    } else if (/^```\s*$/.test(text)) {
      // Virtual files sit under the repository so `zod` and other packages resolve from its node_modules.
      blocks.push({ line: open.line, file: join(root, 'readme-samples', `line-${open.line}.${open.ext}`), code: open.code.join('\n') });
      open = undefined;
    } else {
      open.code.push(text);
    }
  });
  if (open) throw new Error(`README.md: the block opened at line ${open.line} is never closed`);
  return blocks;
}

function compilerOptions(): ts.CompilerOptions {
  const configPath = join(root, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configPath);
  const entry = (path: string) => [join(root, path)];
  return {
    ...parsed.options,
    noEmit: true,
    declaration: false,
    sourceMap: false,
    inlineSources: false,
    // Without this, a block with no import or export would be a script sharing global names with the others.
    moduleDetection: ts.ModuleDetectionKind.Force,
    // Absolute targets: `paths` is tried before the package's own "exports", which point at an unbuilt dist/.
    paths: {
      errand: entry('src/index.ts'),
      'errand/testing': entry('src/testing/index.ts'),
      'errand/node': entry('src/node/index.ts'),
      'errand/react': entry('src/react/index.ts'),
      'errand/browser': entry('src/browser/index.ts'),
      'errand/service-worker': entry('src/service-worker/index.ts'),
      'errand/bullmq': entry('src/bullmq/index.ts'),
      'errand/devtools': entry('src/devtools/index.ts'),
    },
  };
}

/** Each block's diagnostics, located by their line in README.md. */
function check(blocks: readonly Block[]): { perBlock: Map<string, string[]>; global: string[] } {
  const options = compilerOptions();
  const virtual = new Map(blocks.map((block) => [block.file, block.code]));
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const code = virtual.get(fileName);
    return code === undefined
      ? getSourceFile(fileName, languageVersion, onError, shouldCreate)
      : ts.createSourceFile(fileName, code, languageVersion, true);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => virtual.has(fileName) || fileExists(fileName);
  const readFile = host.readFile.bind(host);
  host.readFile = (fileName) => virtual.get(fileName) ?? readFile(fileName);

  const program = ts.createProgram({ rootNames: [...virtual.keys()], options, host });
  const format = (block: Block, diagnostic: ts.Diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (!diagnostic.file || diagnostic.start === undefined) return `TS${diagnostic.code}: ${message}`;
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    // The block's first line of code is the line after its fence.
    return `README.md:${block.line + 1 + line}:${character + 1} TS${diagnostic.code}: ${message}`;
  };
  const perBlock = new Map<string, string[]>();
  for (const block of blocks) {
    const source = program.getSourceFile(block.file);
    if (!source) throw new Error(`README.md block at line ${block.line} is missing from the program`);
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    perBlock.set(block.file, diagnostics.map((diagnostic) => format(block, diagnostic)));
  }
  const global = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map((diagnostic) =>
    ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
  );
  return { perBlock, global };
}

const blocks = extractBlocks(readFileSync(join(root, 'README.md'), 'utf8'));

describe('README.md samples', () => {
  let result: ReturnType<typeof check>;
  beforeAll(() => {
    result = check(blocks);
  }, 60_000);

  it('has ts samples to check, and the program has no option or global errors', () => {
    expect(blocks.length).toBeGreaterThan(0);
    expect(result.global).toEqual([]);
  });

  it.each(blocks.map((block) => [block.line, block] as const))('the block at README.md line %i type-checks', (line, block) => {
    expect(result.perBlock.get(block.file), `README.md block at line ${line} does not type-check`).toEqual([]);
  });
});
