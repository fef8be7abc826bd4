// `npm start` (scripts/start.mjs) on a fresh database: demo login, team and the DESIGN 7 study are
// created once, a worker pool trains it, Ctrl-C stops everything, and a second start resumes the
// same study instead of creating another.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase } from '@posterior/api/testing';
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
    await waitFor(() => /trial #\d+ started/.test(output), 'a trial to start', 120_000);
    // Each worker process logs its TensorFlow.js backend as it starts, before training anything.
    await waitFor(() => /tfjs: using the \w+ backend/.test(output), 'the backend choice', 120_000);
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 1000));
    child.kill('SIGINT'); // the second Ctrl-C hands the trials in flight back at once
    const { code } = await exited;
    return { code, output, studyId };
  }

  it('creates the demo once, stops cleanly on Ctrl-C, and resumes the same study', async () => {
    const first = await startAndStop();
    assert.equal(first.code, 0, first.output);
    assert.match(first.output, /Login\s+demo@posterior\.dev \/ posterior-demo/);
    assert.match(first.output, /Posterior stopped\./);

    const second = await startAndStop();
    assert.equal(second.code, 0, second.output);
    assert.equal(second.studyId, first.studyId, 'the second start resumes the same study');
    assert.doesNotMatch(second.output, /Created the demo study/);

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
      client.setToken((await client.logIn('demo@posterior.dev', 'posterior-demo')).token);
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
