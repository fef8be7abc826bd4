#!/usr/bin/env node
// The README's quick start as a newcomer walks it, checked end to end (CI runs it on its fresh clone):
//   npm install          no EBADENGINE, package-lock.json unchanged
//   npx posterior --help the bin resolves before anything is built (it says to build first)
//   npm start            in the background, on ports and a data directory of its own, until ready
//   npx posterior --help / token create / report <demo study>, against that platform
//   Ctrl-C               npm start exits 0, and no process it started is left, nor its ports
//
// Usage (from a checkout):
//   node tests/newcomer/fresh-clone.mjs --clone    git clone of HEAD into a temp dir, npm install, checks
//   node tests/newcomer/fresh-clone.mjs --install  npm install here, then the checks (CI: a fresh clone)
//   node tests/newcomer/fresh-clone.mjs            the checks on this checkout as installed
// Options: --timeout-s N (whole run, default 1800), --keep (keep the clone and data directory).
// Prints each step's time and ends with `newcomer: N passed, N failed`; exits 1 on any failure.
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  createWriteStream,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    clone: { type: 'boolean', default: false },
    install: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    'timeout-s': { type: 'string', default: '1800' },
  },
});
const started = Date.now();
const deadline = started + Number(opts['timeout-s']) * 1000;
const here = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const work = mkdtempSync(join(tmpdir(), 'posterior-newcomer-'));
// Run as root, the embedded PostgreSQL runs as the postgres user, which must be able to enter this.
chmodSync(work, 0o755);
const dataDir = join(work, 'data');
const logFile = join(work, 'npm-start.log');
const results = [];
const timings = [];

const say = (line) => process.stdout.write(`newcomer: ${line}\n`);
const secondsSince = (t) => ((Date.now() - t) / 1000).toFixed(1);
const remainingMs = () => Math.max(0, deadline - Date.now());

class StepFailed extends Error {}

/** Runs one named check; a failure is recorded and ends the walk (later steps depend on it). */
async function step(name, fn) {
  const t = Date.now();
  try {
    const detail = await fn();
    results.push({ name, ok: true });
    timings.push([name, secondsSince(t)]);
    say(`ok   ${name} (${secondsSince(t)} s)${detail ? `: ${detail}` : ''}`);
  } catch (error) {
    results.push({ name, ok: false });
    say(`FAIL ${name} (${secondsSince(t)} s): ${error.message}`);
    throw new StepFailed(name);
  }
}

/** Runs a command to completion (bounded by `timeoutMs` and the whole run's deadline). */
function run(command, args, { cwd, env, timeoutMs = 300_000 } = {}) {
  return new Promise((resolveRun) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        killGroup(child.pid, 'SIGKILL');
      },
      Math.min(timeoutMs, remainingMs()),
    );
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code: timedOut ? 'timeout' : (code ?? signal), stdout, stderr });
    });
  });
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

const tail = (text, lines = 15) => text.trim().split('\n').slice(-lines).join('\n');

/** A port nobody listens on, from the range this machine's engineers use for their own servers. */
async function freePort() {
  for (;;) {
    const port = 41000 + Math.floor(Math.random() * 9000);
    const free = await new Promise((resolveFree) => {
      const server = createServer();
      server.once('error', () => resolveFree(false));
      server.listen(port, '0.0.0.0', () => server.close(() => resolveFree(true)));
    });
    if (free && !(await accepts('127.0.0.1', port))) return port;
  }
}

/** Whether a TCP connection to address:port is accepted. */
function accepts(address, port) {
  return new Promise((resolveAccepts) => {
    const socket = connect({ host: address, port });
    socket.once('connect', () => {
      socket.destroy();
      resolveAccepts(true);
    });
    socket.once('error', () => resolveAccepts(false));
  });
}

/** Live processes whose environment carries `marker` (npm start passes POSTERIOR_DATA_DIR to all). */
function processesMarked(marker) {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      if (!environ.includes(marker)) continue;
      const state = readFileSync(`/proc/${entry}/stat`, 'latin1').split(') ')[1]?.[0];
      if (state === 'Z') continue; // exited, waiting to be reaped by a parent that is not ours
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'latin1').replaceAll('\0', ' ').trim();
      found.push({ pid: Number(entry), cmdline });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** The embedded PostgreSQL's port, from the postmaster.pid somewhere under the data directory. */
function embeddedPostgresPort(dir, depth = 3) {
  if (depth < 0 || !existsSync(dir)) return undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isFile() && entry.name === 'postmaster.pid') {
      const port = Number(readFileSync(path, 'utf8').split('\n')[3]);
      if (Number.isInteger(port) && port > 0) return port;
    }
    if (entry.isDirectory()) {
      const port = embeddedPostgresPort(path, depth - 1);
      if (port !== undefined) return port;
    }
  }
  return undefined;
}

const until = async (check, timeoutMs, intervalMs = 250) => {
  const end = Date.now() + Math.min(timeoutMs, remainingMs());
  for (;;) {
    const value = await check();
    if (value || Date.now() >= end) return value;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
};

// ---- the walk ---------------------------------------------------------------------------------

let root = here;
const baseEnv = { ...process.env, npm_config_yes: 'false', NPM_CONFIG_UPDATE_NOTIFIER: 'false' };
// What a newcomer's shell has: none of this project's settings (so the embedded database is used).
for (const name of Object.keys(baseEnv)) {
  if (/^(DATABASE_URL|POSTERIOR_.*|PORT|WEB_PORT|WEB_HOST)$/.test(name)) delete baseEnv[name];
}
const marker = `POSTERIOR_DATA_DIR=${dataDir}`;
let platform; // the npm start child
let exitedPlatform;
let platformOutput = '';
const ports = {};

async function walk() {
  if (opts.clone) {
    await step('git clone of HEAD', async () => {
      const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: here, encoding: 'utf8' }).trim();
      root = join(work, 'posterior');
      execFileSync('git', ['clone', '--quiet', '--no-checkout', '--no-hardlinks', here, root]);
      execFileSync('git', ['checkout', '--quiet', head], { cwd: root });
      return `${head.slice(0, 12)} in ${root}`;
    });
  }

  if (opts.clone || opts.install) {
    await step('npm install', async () => {
      const r = await run('npm', ['install', '--no-audit', '--no-fund'], {
        cwd: root,
        env: baseEnv,
        timeoutMs: 900_000,
      });
      const output = `${r.stdout}\n${r.stderr}`;
      if (r.code !== 0) throw new Error(`exited ${r.code}:\n${tail(output)}`);
      const warnings = output.split('\n').filter((l) => l.includes('EBADENGINE'));
      if (warnings.length > 0) throw new Error(`EBADENGINE:\n${warnings.slice(0, 8).join('\n')}`);
      const lock = execFileSync('git', ['status', '--porcelain', '--', 'package-lock.json'], {
        cwd: root,
        encoding: 'utf8',
      });
      if (lock.trim() !== '') throw new Error('npm install changed package-lock.json: it is out of date');
      return tail(r.stdout, 1);
    });
  }

  const npx = (args, env = baseEnv) =>
    run('npx', ['posterior', ...args], { cwd: root, env, timeoutMs: 180_000 });

  await step('npx posterior --help before npm start', async () => {
    const built = existsSync(join(root, 'packages', 'cli', 'dist', 'bin.js'));
    const r = await npx(['--help']);
    if (built) {
      if (r.code !== 0 || !r.stdout.includes('Usage: posterior')) throw new Error(`${r.code}: ${r.stderr}`);
      return 'already built: usage printed';
    }
    if (r.code !== 1 || !/run npm start or npm run build first/.test(r.stderr))
      throw new Error(`expected the launcher's build-first line, got ${r.code}: ${tail(r.stderr, 3)}`);
    return `not built yet: "${r.stderr.trim()}"`;
  });

  await step('npm start until ready', async () => {
    ports.api = await freePort();
    ports.web = await freePort();
    const log = createWriteStream(logFile);
    platform = spawn('npm', ['start'], {
      cwd: root,
      env: { ...baseEnv, POSTERIOR_DATA_DIR: dataDir, PORT: String(ports.api), WEB_PORT: String(ports.web) },
      // Its own process group, like a terminal's foreground job: Ctrl-C goes to the whole group.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [platform.stdout, platform.stderr]) {
      stream.on('data', (d) => {
        platformOutput += d;
        log.write(d);
      });
    }
    exitedPlatform = new Promise((r) => platform.once('exit', (code, signal) => r(code ?? signal)));
    let exitCode;
    void exitedPlatform.then((code) => {
      exitCode = code;
    });
    const ready = await until(
      () => platformOutput.includes('Press Ctrl-C to stop.') || exitCode !== undefined,
      1_200_000,
      500,
    );
    if (exitCode !== undefined) throw new Error(`npm start exited ${exitCode}:\n${tail(platformOutput)}`);
    if (!ready) throw new Error(`not ready in time (log ${logFile}):\n${tail(platformOutput)}`);
    ports.postgres = embeddedPostgresPort(dataDir);
    // The check after Ctrl-C looks for these by their environment: it must be able to see them now.
    const seen = processesMarked(marker).map((p) => p.cmdline);
    for (const [what, pattern] of [
      ['the API', / serve --port /],
      ['the embedded PostgreSQL', /postgres/],
    ]) {
      if (!seen.some((cmdline) => pattern.test(cmdline)))
        throw new Error(`cannot find ${what} among the processes npm start runs:\n${seen.join('\n')}`);
    }
    return `${seen.length} processes; API :${ports.api}, dashboard :${ports.web}, embedded PostgreSQL :${ports.postgres ?? '?'}`;
  });

  const field = (label) => new RegExp(`^\\s+${label}\\s+(.+)$`, 'm').exec(platformOutput)?.[1]?.trim() ?? '';
  const [email, , password] = field('Login').split(/\s+/);
  const teamId = /\(([^)]+)\)/.exec(field('Team'))?.[1];
  const studyId = /^demo-transfer-learning \(([^)]+)\)/.exec(field('Study'))?.[1];
  const apiUrl = `http://127.0.0.1:${ports.api}`;

  await step('demo login: generated, kept in the data directory, reachable on loopback only', async () => {
    if (!email || !password || !teamId || !studyId)
      throw new Error(`missing login, team or study:\n${platformOutput}`);
    if (password === 'posterior-demo') throw new Error('the demo password is the old published one');
    const file = join(dataDir, 'demo-password');
    if (readFileSync(file, 'utf8').trim() !== password)
      throw new Error(`${file} does not hold the printed password`);
    if ((statSync(file).mode & 0o777) !== 0o600) throw new Error(`${file} is not mode 0600`);
    // Read from the kernel's listener table: no packet goes to any address but loopback.
    // The walked checkout is built by now (npm start builds what is missing).
    const testing = pathToFileURL(join(root, 'apps', 'api', 'dist', 'testing', 'index.js')).href;
    const { listeningAddresses } = await import(testing);
    const on = listeningAddresses(ports.api);
    if (on === null) return 'no /proc/net/tcp to read listeners from';
    if (on.some((a) => a !== '127.0.0.1' && a !== '::1'))
      throw new Error(`the API listens on ${on.join(', ')}`);
    return `the API listens on ${on.join(', ')} only`;
  });

  await step('npx posterior --help', async () => {
    const r = await npx(['--help']);
    if (r.code !== 0 || !r.stdout.includes('Usage: posterior'))
      throw new Error(`${r.code}: ${tail(r.stderr, 3)}`);
  });

  let token;
  await step('npx posterior token create --team ID --name N', async () => {
    const r = await npx([
      'token',
      'create',
      '--team',
      teamId,
      '--name',
      'newcomer',
      '--email',
      email,
      '--password',
      password,
      '--api',
      apiUrl,
    ]);
    token = r.stdout.trim();
    if (r.code !== 0 || token === '') throw new Error(`${r.code}: ${tail(r.stderr, 3)}`);
  });

  await step('npx posterior report STUDY', async () => {
    const r = await npx(['report', studyId], {
      ...baseEnv,
      POSTERIOR_API_URL: apiUrl,
      POSTERIOR_TOKEN: token,
    });
    if (r.code !== 0) throw new Error(`${r.code}: ${tail(r.stderr, 3)}`);
    if (!r.stdout.includes('demo-transfer-learning'))
      throw new Error(`no study in the report:\n${tail(r.stdout)}`);
    return `${r.stdout.split('\n').length} lines`;
  });

  await step('Ctrl-C: npm start stops, and everything it started', async () => {
    killGroup(platform.pid, 'SIGINT');
    const code = await Promise.race([
      exitedPlatform,
      until(() => false, 240_000).then(() => 'still running'),
    ]);
    // npm re-raises the interrupt once its script has exited, as a shell's foreground job would.
    if (![0, 130, 'SIGINT'].includes(code))
      throw new Error(`npm start: ${code} after Ctrl-C:\n${tail(platformOutput)}`);
    if (!platformOutput.includes('Posterior stopped.'))
      throw new Error(`no "Posterior stopped."\n${tail(platformOutput)}`);
    const left = await until(() => processesMarked(marker).length === 0, 15_000);
    if (!left) {
      const list = processesMarked(marker).map((p) => `${p.pid} ${p.cmdline}`);
      throw new Error(`still running after npm start exited:\n${list.join('\n')}`);
    }
    const open = [];
    for (const [name, port] of Object.entries(ports)) {
      if (port !== undefined && (await accepts('127.0.0.1', port))) open.push(`${name} :${port}`);
    }
    if (open.length > 0) throw new Error(`still listening: ${open.join(', ')}`);
    return `npm start: ${code}; no process left; ports ${Object.values(ports).filter(Boolean).join(', ')} closed`;
  });
}

// ---- run, clean up, report ----------------------------------------------------------------------

const overall = setTimeout(() => {
  say(`FAIL the whole walk took longer than ${opts['timeout-s']} s`);
  cleanUp().finally(() => process.exit(1));
}, remainingMs());

let cleaned = false;
async function cleanUp() {
  if (cleaned) return;
  cleaned = true;
  if (platform && platform.exitCode === null && platform.signalCode === null) {
    killGroup(platform.pid, 'SIGINT');
    await new Promise((r) => setTimeout(r, 1000));
    killGroup(platform.pid, 'SIGINT'); // the second Ctrl-C hands trials back at once
    await Promise.race([exitedPlatform, new Promise((r) => setTimeout(r, 30_000))]);
    killGroup(platform.pid, 'SIGKILL');
  }
  // Only what this walk started carries its data directory in its environment.
  for (const p of processesMarked(marker)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  if (!opts.keep) rmSync(work, { recursive: true, force: true });
  else say(`kept ${work}`);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    say(`interrupted (${signal})`);
    cleanUp().finally(() => process.exit(130));
  });
}

try {
  await walk();
} catch (error) {
  if (!(error instanceof StepFailed)) {
    results.push({ name: 'unexpected error', ok: false });
    say(`FAIL ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
} finally {
  clearTimeout(overall);
  await cleanUp();
}

say(`timings: ${timings.map(([name, s]) => `${name} ${s} s`).join('; ')}; total ${secondsSince(started)} s`);
const failed = results.filter((r) => !r.ok).length;
console.log(`newcomer: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
