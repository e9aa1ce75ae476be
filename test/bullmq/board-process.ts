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

/** A queue as bull-board's HTTP API lists it, its jobs as the caller reads them. */
export interface BoardQueue<TJob> {
  name: string;
  counts: Record<string, number>;
  jobs: TJob[];
}

/** `queue` as the board at `url` lists it for `query` (bull-board's own /api/queues). */
export async function boardQueue<TJob>(url: string, queue: string, query: string): Promise<BoardQueue<TJob>> {
  const response = await fetch(`${url}api/queues?${query}`);
  if (response.status !== 200) throw new Error(`bull-board answered ${response.status}`);
  const body = (await response.json()) as { queues: BoardQueue<TJob>[] };
  const found = body.queues.find((q) => q.name === queue);
  if (!found) throw new Error(`bull-board does not list ${queue}: ${JSON.stringify(body)}`);
  return found;
}
