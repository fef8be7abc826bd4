// A real API (createApiServer) on a fresh database (createTestDatabase) and helpers to drive the
// `posterior` CLI against it as a separate process.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiServer, createLogger } from '@posterior/api';
import { createTestDatabase } from '@posterior/api/testing';
import { createNodeClient } from '@posterior/sdk/node';

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, '..', '..');
export const bin = join(root, 'packages', 'cli', 'dist', 'bin.js');
export const fixture = (name) => join(here, 'fixtures', name);

export async function startApi(options = {}) {
  const db = await createTestDatabase({ poolSize: 10 });
  const dataDir = await mkdtemp(join(tmpdir(), 'posterior-worker-test-'));
  const start = (port = 0) =>
    createApiServer({
      dataSource: db.dataSource,
      dataDir,
      port,
      host: '127.0.0.1',
      logger: createLogger('silent'),
      reaperIntervalMs: 200,
      suggestionThreads: 1,
      ...options,
    });
  let server = await start();
  let stoppedPort;
  const replicas = [];
  const api = {
    db,
    dataDir,
    get server() {
      return server;
    },
    get url() {
      return server.baseUrl;
    },
    /** Stops the API and brings it back on the same port, as a redeploy would. */
    async restart(downMs = 0) {
      const { port } = server;
      await server.close();
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      server = await start(port);
    },
    /** Stops the API (its port refuses connections) until `resume()`. */
    async stop() {
      stoppedPort = server.port;
      await server.close();
    },
    /** Brings a stopped API back on the same port. */
    async resume() {
      if (stoppedPort === undefined) return;
      server = await start(stoppedPort);
      stoppedPort = undefined;
    },
    /** A second replica on the same database, as behind a load balancer; closed with the API. */
    async replica() {
      const peer = await start();
      replicas.push(peer);
      return peer;
    },
    async close() {
      for (const peer of replicas) await peer.close().catch(() => {});
      if (stoppedPort === undefined) await server.close();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return api;
}

let seq = 0;

/** A user, a team and a worker API token; returns an SDK client logged in as the user. */
export async function bootstrap(url) {
  const client = createNodeClient({ url, retry: { retries: 2, minDelayMs: 50, maxDelayMs: 200 } });
  const email = `worker-test-${process.pid}-${seq++}@example.com`;
  const session = await client.signUp(email, 'correct horse battery staple', 'Worker Test');
  client.setToken(session.token);
  const team = await client.createTeam(`team-${seq}`);
  const secret = await client.createApiToken(team.id, 'test worker');
  return { client, team, email, token: secret.token };
}

export const quadraticSpace = [{ name: 'x', type: 'float', low: -2, high: 2 }];

/** A study minimizing `loss` over `quadraticSpace` in the bootstrapped team; `fields` add to or override it. */
export const quadraticStudy = (ctx, name, fields = {}) =>
  ctx.client.createStudy({
    teamId: ctx.team.id,
    name,
    direction: 'MINIMIZE',
    objective: 'loss',
    searchSpace: quadraticSpace,
    ...fields,
  });

/** `posterior worker` against the API at `url` with `token`, on one study. */
export const workerArgs = (url, token, studyId, ...extra) => [
  'worker',
  '--api',
  url,
  '--token',
  token,
  '--study',
  studyId,
  ...extra,
];

/** The first trial of the study once it is RUNNING and has reported a metric point. */
export const trialInFlight = (client, studyId) =>
  waitFor(async () => {
    const [trial] = await client.allTrials(studyId, 'RUNNING');
    if (!trial) return undefined;
    const detail = await client.trial(trial.id);
    return detail && detail.metrics.length > 0 ? detail : undefined;
  }, 'a trial in flight');

/** Runs the CLI to completion; resolves with exit code and output. */
export function runCli(args, { env = {}, onSpawn } = {}) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolveRun({ code, signal, stdout, stderr }));
    onSpawn?.(child);
  });
}

/** Polls `check` until it returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor(check, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
