// Child processes of the scale tests: API servers and workers from the built CLI, with their
// output kept for the failure message and JSON lines parsed as they arrive.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const cliBin = join(repoRoot, 'packages', 'cli', 'dist', 'bin.js');
/** POSTERIOR_SCALE_SHIM=1 swaps the CLI for lib/shim-bin.mjs (same flags, built on the packages). */
export const usingShim = process.env.POSTERIOR_SCALE_SHIM === '1';
const bin = usingShim ? join(repoRoot, 'tests', 'scale', 'lib', 'shim-bin.mjs') : cliBin;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

/** Polls `fn` until it returns a truthy value; throws `what` after `timeoutMs` (a bound, not a measurement). */
export async function waitFor(fn, { timeoutMs = 60_000, intervalMs = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    await sleep(intervalMs);
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`,
  );
}

class Child {
  constructor(name, args, env) {
    this.name = name;
    this.args = args;
    this.env = env;
    this.output = [];
    this.jsonLines = [];
    this.exited = null;
  }

  start() {
    this.exited = null;
    this.proc = spawn(process.execPath, ['--enable-source-maps', bin, ...this.args], {
      cwd: repoRoot,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.pid = this.proc.pid;
    this.exit = new Promise((r) => {
      this.proc.on('exit', (code, signal) => {
        this.exited = { code, signal };
        r(this.exited);
      });
    });
    for (const stream of [this.proc.stdout, this.proc.stderr]) {
      let buffered = '';
      stream.on('data', (chunk) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) this.onLine(line);
      });
    }
    return this;
  }

  onLine(line) {
    this.output.push(line);
    if (this.output.length > 2000) this.output.splice(0, this.output.length - 2000);
    if (line.startsWith('{')) {
      try {
        this.jsonLines.push(JSON.parse(line));
      } catch {
        // not JSON after all
      }
    }
  }

  tail(n = 30) {
    return `--- ${this.name} (pid ${this.pid}) ---\n${this.output.slice(-n).join('\n')}`;
  }

  get running() {
    return this.proc !== undefined && this.exited === null;
  }

  /** SIGTERM and wait (graceful); SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000) {
    if (!this.running) return this.exited;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    const result = await this.exit;
    clearTimeout(timer);
    return result;
  }

  /** kill -9: no chance to tell, heartbeat or close anything. */
  async kill9() {
    if (!this.running) return this.exited;
    this.proc.kill('SIGKILL');
    return this.exit;
  }
}

/** `posterior serve --port P` on DATABASE_URL; resolves once /readyz (or /healthz) answers 200. */
export async function startApi({ name = 'api', port, databaseUrl, env = {}, readyTimeoutMs = 60_000 }) {
  const p = port ?? (await freePort());
  const child = new Child(name, ['serve', '--port', String(p)], {
    DATABASE_URL: databaseUrl,
    PORT: String(p),
    LOG_LEVEL: 'warn',
    POSTERIOR_DATA_DIR: join(repoRoot, '.posterior', `scale-${name}-${p}`),
    ...env,
  });
  child.port = p;
  child.url = `http://127.0.0.1:${p}`;
  child.start();
  await waitApiReady(child, readyTimeoutMs);
  /** Resolves with how long the old process took to drain and exit, and the new one to be ready. */
  child.restart = async (graceMs) => {
    const t0 = Date.now();
    await child.stop(graceMs);
    const stopMs = Date.now() - t0;
    child.start();
    await waitApiReady(child, readyTimeoutMs);
    return { stopMs, startMs: Date.now() - t0 - stopMs };
  };
  return child;
}

export async function waitApiReady(child, timeoutMs = 60_000) {
  await waitFor(
    async () => {
      if (child.exited) throw new Error(`exited ${JSON.stringify(child.exited)}\n${child.tail()}`);
      const ready = await fetch(`${child.url}/readyz`).catch(() => null);
      if (ready?.status === 200) return true;
      // Before the ops router is mounted, fall back to GraphQL answering at all.
      if (ready?.status === 404) {
        const gql = await fetch(`${child.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ __typename }' }),
        }).catch(() => null);
        return gql?.status === 200;
      }
      return false;
    },
    { timeoutMs, what: `${child.name} on ${child.url} to become ready` },
  );
}

/** `posterior worker --api URL --token T --study ID --objective FILE`. */
export function startWorker({ name, apiUrl, token, studyId, objective, args = [], env = {} }) {
  return new Child(
    name,
    ['worker', '--api', apiUrl, '--token', token, '--study', studyId, '--objective', objective, ...args],
    env,
  ).start();
}
