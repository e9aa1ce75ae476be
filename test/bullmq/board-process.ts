// Starts the real `npm run board` script (scripts/board.ts) as a child process, as a user would, and
// resolves with its URL once it prints it.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function startBoardProcess(args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'board.ts'), ...args], {
    cwd: root,
    env: { ...process.env, BOARD_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout?.setEncoding('utf8');
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`board did not print its URL: ${out}`)), 20_000);
    child.once('exit', (code) => reject(new Error(`board exited ${code}: ${out}`)));
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const match = /bull-board: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  return { child, url };
}
