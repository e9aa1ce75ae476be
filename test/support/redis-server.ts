// A private redis-server for fault tests: the shared one on 6379 keeps nothing on disk and must never be
// restarted, so tests that kill Redis start their own. appendfsync always makes "acknowledged" mean "on disk":
// a write Redis answered survives SIGKILL, which is the guarantee the restart tests check.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RedisServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly dir: string;
  readonly url: string;
  /** SIGKILL: no shutdown save, no goodbye to clients: what a crashed host looks like. */
  kill(): Promise<void>;
  /** Starts it again on the same port and dir (the append-only file is replayed). */
  restart(): Promise<void>;
  /** Kills it and removes its dir. */
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** Defaults to redis-server on PATH (Debian: /usr/bin/redis-server). */
  binary?: string;
  readyTimeoutMs?: number;
}

/** A port nothing listens on now; a race with another process is possible but vanishingly rare on loopback. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

/** One PING over a raw socket: true when the server answered +PONG (not -LOADING while it replays the AOF). */
async function pings(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk) => done(chunk.toString('latin1').startsWith('+PONG')));
  });
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = options.binary ?? 'redis-server';
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const dir = await mkdtemp(join(tmpdir(), 'errand-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stderr = '';

  const launch = async (): Promise<void> => {
    stderr = '';
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--appendfsync', 'always'];
    args.push('--dir', dir, '--save', '', '--daemonize', 'no', '--loglevel', 'warning');
    const proc = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    const spawnFailed = new Promise<never>((_, reject) => proc.once('error', reject));
    const deadline = Date.now() + readyTimeoutMs;
    // Poll PING rather than parse the log: the log line differs between versions, PONG does not.
    const ready = (async () => {
      while (Date.now() < deadline) {
        if (proc.exitCode !== null) throw new Error(`redis-server exited ${proc.exitCode}: ${stderr}`);
        if (await pings(port)) return;
        await sleep(20);
      }
      proc.kill('SIGKILL');
      throw new Error(`redis-server on ${port} did not answer PING in ${readyTimeoutMs} ms: ${stderr}`);
    })();
    await Promise.race([ready, spawnFailed]);
  };

  const kill = async (): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    child = undefined;
  };

  await launch();
  return {
    host: '127.0.0.1',
    port,
    dir,
    url: `redis://127.0.0.1:${port}`,
    kill,
    restart: async () => {
      await kill();
      await launch();
    },
    stop: async () => {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
