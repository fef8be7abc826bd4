#!/usr/bin/env node
// `npm start [-- --host 0.0.0.0]`: the whole platform on one machine (docs/DESIGN.md section 2).
//   API on :4000 (`posterior serve`: DATABASE_URL or the embedded PostgreSQL under POSTERIOR_DATA_DIR),
//   the dashboard on :3000 (when apps/web is built), a demo login, the 30-trial demo study of
//   docs/DESIGN.md section 7 (created once, resumed on every later start) and a worker pool of 2.
// Both listen on 127.0.0.1 unless --host says otherwise: the demo login owns the Demo team, and its
// password (random per data directory, kept in <data dir>/demo-password, mode 0600) is printed below.
// Ctrl-C once: the workers finish their trials in flight, then everything stops. Twice: trials in
// flight are handed back to the queue at once. Every child runs in its own process group, so the
// terminal's Ctrl-C reaches only this script, which stops them in order (workers before the API they
// must report to).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = resolve(root, process.env.POSTERIOR_DATA_DIR ?? '.posterior');
// biome-ignore lint/suspicious/noUndeclaredEnvVars: read at run time by this script, not a turbo task input
const apiPort = Number(process.env.PORT ?? 4000);
// biome-ignore lint/suspicious/noUndeclaredEnvVars: as above
const webPort = Number(process.env.WEB_PORT ?? 3000);
let host;
try {
  host = parseArgs({ options: { host: { type: 'string', default: '127.0.0.1' } } }).values.host;
} catch (error) {
  process.stderr.write(`npm start: ${error.message} (usage: npm start [-- --host ADDRESS])\n`);
  process.exit(2);
}
const everyInterface = host === '0.0.0.0' || host === '::';
const loopback = host === '127.0.0.1' || host === '::1' || host === 'localhost';
/** How this script, the workers and the dashboard's server reach the API. */
const urlHost = everyInterface ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
const apiUrl = `http://${urlHost}:${apiPort}`;
/** What people are told to open. */
const shownHost = everyInterface || loopback ? 'localhost' : urlHost;
const bin = join(root, 'packages', 'cli', 'dist', 'bin.js');
const webDir = join(root, 'apps', 'web');
const logDir = join(dataDir, 'logs');

const DEMO = {
  email: 'demo@posterior.dev',
  team: 'Demo',
  study: 'demo-transfer-learning',
};
/** What the demo account had before passwords were generated per data directory. */
const LEGACY_DEMO_PASSWORD = 'posterior-demo';
const passwordFile = join(dataDir, 'demo-password');

const say = (line) => process.stdout.write(`${line}\n`);
const warn = (line) => process.stderr.write(`npm start: ${line}\n`);
const env = {
  ...process.env,
  TURBO_TELEMETRY_DISABLED: '1',
  NEXT_TELEMETRY_DISABLED: '1',
  POSTERIOR_DATA_DIR: dataDir,
};

// ---- build what is missing -------------------------------------------------------------------

const turbo = (filter) =>
  spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/turbo/bin/turbo'),
      'run',
      'build',
      `--filter=${filter}`,
      '--output-logs=errors-only',
    ],
    {
      cwd: root,
      stdio: 'inherit',
      env,
    },
  ).status;

const nodeOutputs = [
  'packages/sdk/dist/node.js',
  'packages/optimizer/dist/index.js',
  'packages/runner/dist/index.js',
  'apps/api/dist/index.js',
  'packages/cli/dist/bin.js',
];
if (nodeOutputs.some((file) => !existsSync(join(root, file)))) {
  say('Building the packages (first start)...');
  if (turbo('!@posterior/web') !== 0) {
    warn('the build failed; fix it and run npm start again');
    process.exit(1);
  }
}
const webBuilt = () => existsSync(join(webDir, '.next', 'BUILD_ID'));
if (existsSync(join(webDir, 'package.json')) && !webBuilt()) {
  say('Building the dashboard (first start)...');
  if (turbo('@posterior/web') !== 0) warn('the dashboard build failed; starting without it');
}

// ---- child processes -------------------------------------------------------------------------

mkdirSync(logDir, { recursive: true });

/** This data directory's demo password: made on the first start, then read back on every later one. */
function demoPassword() {
  try {
    const saved = readFileSync(passwordFile, 'utf8').trim();
    if (saved !== '') {
      chmodSync(passwordFile, 0o600);
      return saved;
    }
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  const fresh = randomBytes(18).toString('base64url');
  writeFileSync(passwordFile, `${fresh}\n`, { mode: 0o600 });
  chmodSync(passwordFile, 0o600); // also when an empty file was there
  return fresh;
}
let password = demoPassword();
const children = new Map(); // name -> ChildProcess

function start(name, command, args, options = {}) {
  const log = options.log ? openSync(join(logDir, `${name}.log`), 'a') : undefined;
  const child = spawn(command, args, {
    cwd: options.cwd ?? root,
    env: { ...env, ...options.env },
    // Own process group: the terminal's Ctrl-C reaches this script only, which stops children in order.
    detached: true,
    stdio: log === undefined ? ['ignore', 'inherit', 'inherit'] : ['ignore', log, log],
  });
  children.set(name, child);
  child.exited = new Promise((resolveExit) => {
    child.on('exit', (code, signal) => {
      children.delete(name);
      resolveExit({ code, signal });
    });
    child.on('error', (error) => {
      warn(`${name}: ${error.message}`);
      children.delete(name);
      resolveExit({ code: 1, signal: null });
    });
  });
  return child;
}

/** Signals a child's whole process group (next start forks next-server; the pool forks workers). */
function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function stopChild(name, signal = 'SIGTERM', graceMs = 20_000) {
  const child = children.get(name);
  if (!child) return;
  signalGroup(child, signal);
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

// ---- shutdown --------------------------------------------------------------------------------

let stopping = false;
let lastSignalAt = 0;
let signals = 0;
let cleanup = async () => {};

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  await stopChild('worker', 'SIGTERM', 60_000);
  await cleanup().catch(() => {});
  await Promise.all([stopChild('web'), stopChild('api')]);
  say('Posterior stopped.');
  process.exit(code);
}

function onSignal(signal) {
  // npm forwards the terminal's SIGINT to this script, which also receives it from the terminal:
  // two deliveries within a moment are one Ctrl-C.
  const now = Date.now();
  if (now - lastSignalAt < 700) return;
  lastSignalAt = now;
  signals++;
  const worker = children.get('worker');
  if (signal === 'SIGINT' && signals === 1 && worker) {
    say('\nStopping: the workers finish their trials in flight (Ctrl-C again to hand them back now)...');
    signalGroup(worker, 'SIGINT');
    void worker.exited.then(() => shutdown(0));
    return;
  }
  if (worker) {
    if (signals <= 2) say('\nHanding the trials in flight back to the queue...');
    signalGroup(worker, signals <= 2 ? 'SIGTERM' : 'SIGKILL');
  }
  if (signals >= 3) for (const child of children.values()) signalGroup(child, 'SIGKILL');
  void shutdown(0);
}
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));
// Children live in their own process groups and would outlive a crash of this script: stop them.
for (const event of ['uncaughtException', 'unhandledRejection']) {
  process.on(event, (error) => {
    warn(error instanceof Error ? error.message : String(error));
    void shutdown(1);
  });
}
const untilShutdown = () => new Promise(() => {});

// ---- the API ---------------------------------------------------------------------------------

say(`Starting the API on ${apiUrl} (data in ${dataDir}; log ${join(logDir, 'api.log')})...`);
const api = start('api', process.execPath, [bin, 'serve', '--port', String(apiPort), '--host', host], {
  log: true,
});

async function waitForApi(timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void api.exited.then(() => {
    exited = true;
  });
  while (Date.now() < deadline && !exited && !stopping) {
    try {
      const response = await fetch(`${apiUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

if (!(await waitForApi())) {
  if (!stopping) {
    warn(`the API did not come up; see ${join(logDir, 'api.log')}`);
    void shutdown(1);
  }
  await untilShutdown();
}

// ---- the dashboard ---------------------------------------------------------------------------

let dashboard = 'not built (npm run build -w @posterior/web)';
const webServer = join(webDir, 'server.mjs');
if (webBuilt() && existsSync(webServer)) {
  // The dashboard's own server (Next plus the same-origin WebSocket proxy), not `next start`.
  start('web', process.execPath, [webServer, '-p', String(webPort), '-H', host], {
    cwd: webDir,
    log: true,
    env: { API_URL: apiUrl, PORT: String(webPort) },
  });
  dashboard = `http://${shownHost}:${webPort}`;
} else if (!existsSync(join(webDir, 'package.json'))) {
  dashboard = 'not present';
}

// ---- demo login, team and study ----------------------------------------------------------------

const { createNodeClient, isPosteriorError } = await import('@posterior/sdk/node');
const client = createNodeClient({ url: apiUrl });

async function demoSession() {
  try {
    return await client.signUp(DEMO.email, password, 'Demo User');
  } catch (error) {
    if (!isPosteriorError(error, 'CONFLICT')) throw error;
  }
  try {
    return await client.logIn(DEMO.email, password);
  } catch (error) {
    if (!isPosteriorError(error, 'UNAUTHENTICATED')) throw error;
  }
  // A data directory from before generated passwords: the account still has the published one.
  try {
    const session = await client.logIn(DEMO.email, LEGACY_DEMO_PASSWORD);
    password = LEGACY_DEMO_PASSWORD;
    warn(
      `the demo account still has the old published password; for a generated one, start once with a fresh POSTERIOR_DATA_DIR (${dataDir} holds the study)`,
    );
    return session;
  } catch (error) {
    if (!isPosteriorError(error, 'UNAUTHENTICATED')) throw error;
    throw new Error(
      `the demo account ${DEMO.email} exists with a password other than ${passwordFile} holds (another data directory on the same DATABASE_URL?)`,
    );
  }
}

// Checked without loading it: the task module pulls in TensorFlow.js, which only the workers need.
const { demoStudyInput, taskProblem } = await import('@posterior/runner');
const taskMissing = taskProblem('transfer-learning');
if (taskMissing) warn(taskMissing);

const session = await demoSession();
client.setToken(session.token);
const team = (await client.teams()).find((t) => t.name === DEMO.team) ?? (await client.createTeam(DEMO.team));

async function findStudy() {
  let after;
  for (;;) {
    const page = await client.studies(team.id, { first: 100, ...(after ? { after } : {}) });
    const found = page.items.find((s) => s.name === DEMO.study && s.state !== 'ARCHIVED');
    if (found || !page.hasNextPage || !page.endCursor) return found;
    after = page.endCursor;
  }
}

let study = await findStudy();
if (!study && !taskMissing) {
  study = await client.createStudy(demoStudyInput({ teamId: team.id, name: DEMO.study }));
  say(`Created the demo study ${study.name} (${study.id}).`);
}

say('');
say('Posterior is running.');
say(`  API        http://${shownHost}:${apiPort}/graphql`);
say(`  Dashboard  ${dashboard}`);
say(`  Login      ${DEMO.email} / ${password}   (kept in ${passwordFile})`);
say(`  Team       ${team.name} (${team.id})`);
if (!loopback) say(`  Listening  on ${host}: anyone who can reach this machine can try the login above`);
if (study) {
  const c = study.trialCounts;
  say(
    `  Study      ${study.name} (${study.id}): ${study.state}, ${c.COMPLETE + c.PRUNED + c.FAILED} of ${study.maxTrials} trials done`,
  );
}
say('Press Ctrl-C to stop.');
say('');

// ---- the demo worker ----------------------------------------------------------------------------

const outputs = join(dataDir, 'demo');

async function writeDemoOutputs(token) {
  mkdirSync(outputs, { recursive: true });
  const cli = (args) =>
    new Promise((resolveRun) => {
      const child = spawn(process.execPath, [bin, ...args, '--api', apiUrl, '--token', token], {
        cwd: root,
        env,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      child.on('exit', (code) => resolveRun(code));
    });
  const report = join(outputs, 'bayes_opt.txt');
  await cli(['report', study.id, '-o', report]);
  await cli(['plot', study.id, '--kind', 'convergence', '-o', join(outputs, 'convergence.png')]);
  await cli(['plot', study.id, '--kind', 'convergence', '-o', join(outputs, 'convergence.svg')]);
  say(`Demo study finished: ${report}, ${join(outputs, 'convergence.png')} (and .svg).`);
}

if (taskMissing) {
  say('The transfer-learning task is not built yet, so no demo worker runs; the API and dashboard are up.');
} else if (study) {
  const secret = await client.createApiToken(team.id, `npm start ${new Date().toISOString()}`);
  cleanup = async () => {
    await client.revokeApiToken(secret.id);
    await client.close();
  };
  if (study.state === 'PAUSED')
    say('The demo study is paused; resume it from the dashboard, then npm start again.');
  const worker = start(
    'worker',
    process.execPath,
    [
      bin,
      'worker',
      '--api',
      apiUrl,
      '--study',
      study.id,
      '--task',
      'transfer-learning',
      '--concurrency',
      '2',
    ],
    { env: { POSTERIOR_TOKEN: secret.token } },
  );
  const { code } = await worker.exited;
  // After a Ctrl-C the worker's exit is part of stopping, not news.
  if (!stopping && signals === 0) {
    const now = await client.study(study.id);
    if (now?.state === 'DONE') await writeDemoOutputs(secret.token);
    else if (code !== 0) warn(`the worker exited with code ${code}`);
    say('The worker has stopped; the API and dashboard keep running. Press Ctrl-C to stop.');
  }
}
