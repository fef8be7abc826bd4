// `npm start` (scripts/start.mjs) on a fresh database: demo login, team and the docs/DESIGN.md section 7
// study are created once, a worker pool trains it, Ctrl-C stops everything, and a second start resumes
// the same study instead of creating another. The API and dashboard listen on loopback only, and the
// demo password is generated per data directory and kept there.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, listeningAddresses } from '@posterior/api/testing';
import { createNodeClient } from '@posterior/sdk/node';
import { root, waitFor } from './_harness.mjs';

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** Whether a TCP connection to address:port is accepted. */
const accepts = (address, port) =>
  new Promise((resolve) => {
    const socket = connect({ host: address, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('npm start', { timeout: 600_000 }, () => {
  let db;
  let dataDir;
  let env;
  let apiUrl;
  let webUrl;

  before(async () => {
    db = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'posterior-start-'));
    const [port, webPort] = [await freePort(), await freePort()];
    apiUrl = `http://localhost:${port}`;
    webUrl = `http://localhost:${webPort}`;
    env = {
      ...process.env,
      DATABASE_URL: db.url,
      POSTERIOR_DATA_DIR: dataDir,
      PORT: String(port),
      WEB_PORT: String(webPort),
    };
  });

  after(async () => {
    await db?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** Starts the script, waits until a trial of the demo study is RUNNING, then Ctrl-C twice. */
  async function startAndStop() {
    const child = spawn(process.execPath, [join(root, 'scripts', 'start.mjs')], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    try {
      await waitFor(() => output.includes('Press Ctrl-C to stop.'), 'the platform to start', 240_000);
    } catch (error) {
      child.kill('SIGTERM');
      await exited;
      throw new Error(`${error.message}; output:\n${output}`);
    }
    const studyId = /Study\s+demo-transfer-learning \(([0-9a-f-]+)\)/.exec(output)?.[1];
    assert.ok(studyId, output);
    // Reachable here, not from the network: the addresses each port listens on (no packet leaves
    // loopback to find out).
    const reach = [];
    const dashboardStarted = output.includes(`Dashboard  ${webUrl}`);
    for (const port of dashboardStarted ? [env.PORT, env.WEB_PORT] : [env.PORT]) {
      await waitFor(() => accepts('127.0.0.1', Number(port)), `a listener on 127.0.0.1:${port}`, 60_000);
      reach.push(listeningAddresses(Number(port)));
    }
    await waitFor(() => /trial #\d+ started/.test(output), 'a trial to start', 120_000);
    // Each worker process logs its TensorFlow.js backend as it starts, before training anything.
    await waitFor(() => /tfjs: using the \w+ backend/.test(output), 'the backend choice', 120_000);
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 1000));
    child.kill('SIGINT'); // the second Ctrl-C hands the trials in flight back at once
    const { code } = await exited;
    return { code, output, studyId, reach };
  }

  it('creates the demo once, stops cleanly on Ctrl-C, and resumes the same study', async () => {
    const first = await startAndStop();
    assert.equal(first.code, 0, first.output);
    assert.match(first.output, /Posterior stopped\./);
    const password = /Login\s+demo@posterior\.dev \/ (\S+)/.exec(first.output)?.[1];
    assert.ok(password, first.output);
    assert.notEqual(password, 'posterior-demo', 'not the password every checkout used to share');
    assert.ok(password.length >= 20, password);
    const passwordFile = join(dataDir, 'demo-password');
    assert.equal((await readFile(passwordFile, 'utf8')).trim(), password);
    assert.equal((await stat(passwordFile)).mode & 0o777, 0o600);
    if (first.reach[0] !== null) {
      assert.deepEqual(first.reach[0], ['127.0.0.1'], 'the API listens on loopback only');
      if (first.reach.length > 1)
        assert.deepEqual(first.reach[1], ['127.0.0.1'], 'the dashboard listens on loopback only');
    }

    const second = await startAndStop();
    assert.equal(second.code, 0, second.output);
    assert.equal(second.studyId, first.studyId, 'the second start resumes the same study');
    assert.doesNotMatch(second.output, /Created the demo study/);
    assert.match(
      second.output,
      new RegExp(`Login\\s+demo@posterior\\.dev / ${password}\\s`),
      'same password',
    );

    // Everything is down: the API no longer answers, nor the dashboard if it was started.
    await assert.rejects(fetch(`${apiUrl}/graphql`, { method: 'POST' }));
    if (first.output.includes(`Dashboard  ${webUrl}`)) await assert.rejects(fetch(webUrl));

    // Read the result through a fresh API on the same database.
    const { createApiServer, createLogger } = await import('@posterior/api');
    const server = await createApiServer({
      dataSource: db.dataSource,
      dataDir,
      port: 0,
      host: '127.0.0.1',
      logger: createLogger('silent'),
      reaperIntervalMs: 0,
      suggestionThreads: 1,
    });
    try {
      const client = createNodeClient({ url: server.baseUrl });
      client.setToken((await client.logIn('demo@posterior.dev', password)).token);
      const [team] = await client.teams();
      const studies = await client.studies(team.id);
      assert.deepEqual(
        studies.items.map((s) => s.name),
        ['demo-transfer-learning'],
      );
      const study = studies.items[0];
      assert.equal(study.maxTrials, 30);
      assert.equal(study.sampler.type, 'gp');
      assert.deepEqual(study.searchSpace.map((p) => p.name).sort(), [
        'batch',
        'decay',
        'dropout',
        'l2',
        'lr',
        'units1',
        'units2',
        'units3',
      ]);
      const trials = await client.allTrials(study.id);
      assert.ok(trials.length >= 2, 'both runs claimed trials');
      assert.equal(trials.filter((t) => t.state === 'RUNNING').length, 0, 'nothing left RUNNING');
      await client.close();
    } finally {
      await server.close();
    }
  });
});
