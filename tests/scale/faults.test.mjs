// Issue 13: the API/SDK side under faults, each on a PostgreSQL of the test's own and real
// `posterior serve` / `posterior worker` processes from the built CLI:
//   1. a PostgreSQL immediate crash during ingestion: every acknowledged metric point is stored;
//   2. a proxy that drops answers after the API has done the work: no budget trial is wasted;
//   3. a database outage longer than the heartbeat timeout: no live trial is reaped;
//   4. an API replica killed under a subscriber: the subscriber notices the gap and heals it.
// Run: npm run test:scale -w @posterior/tests (or node --test tests/scale/faults.test.mjs).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { createNodeClient } from '@posterior/sdk/node';
import { harnessUnavailable, objectiveFixture, startCluster } from './lib/cluster.mjs';
import { sleep, startWorker, waitApiReady, waitFor } from './lib/procs.mjs';

const unavailable = harnessUnavailable();
const requireHarness = () => {
  if (unavailable) throw new Error(unavailable);
};
const log = (m) => process.stdout.write(`# ${m}\n`);

const REPORT =
  'mutation($t: ID!, $p: [MetricPointInput!]!) { reportMetrics(trialId: $t, points: $p) { accepted } }';

/** One GraphQL POST without retries: an answer is an acknowledgement, anything else is not. */
async function post(url, token, query, variables) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

test('PostgreSQL crashes (immediate stop) during ingestion: every acknowledged point is stored', {
  timeout: 300_000,
}, async () => {
  requireHarness();
  const c = await startCluster({ apis: 1, subscribers: false, log, studyOverrides: { maxTrials: 20 } });
  try {
    const api = c.apis[0];
    const worker = createNodeClient({ url: api.url, token: c.workerToken });
    const trials = await worker.askTrials(c.study.id, 4, 'ingest');
    await worker.close();
    assert.equal(trials.length, 4);
    const acknowledged = [];
    let failures = 0;
    let running = true;
    const reporters = trials.map(async (trial) => {
      for (let step = 0; running; ) {
        const points = Array.from({ length: 100 }, (_, i) => ({ name: 'loss', step: step + i, value: i }));
        try {
          await post(api.url, c.workerToken, REPORT, { t: trial.id, p: points });
          for (const p of points) acknowledged.push(`${trial.id}/${p.step}`);
          step += 100;
        } catch {
          failures += 1;
          await sleep(100);
        }
      }
    });
    for (let crash = 0; crash < 3; crash++) {
      await sleep(1500);
      c.pg.stop('immediate');
      await sleep(500);
      c.pg.start();
      await waitApiReady(api, 60_000);
    }
    await sleep(1000);
    running = false;
    await Promise.all(reporters);
    const stored = new Set((await c.db.metricPoints(c.study.id)).map((p) => `${p.trialId}/${p.step}`));
    const lost = acknowledged.filter((key) => !stored.has(key));
    log(`acknowledged ${acknowledged.length} points, stored ${stored.size}, failed reports ${failures}`);
    assert.ok(acknowledged.length > 0 && failures > 0, 'reports went on across the crashes');
    assert.deepEqual(lost.slice(0, 10), [], `${lost.length} acknowledged points lost`);
  } finally {
    await c.stop();
  }
});

/**
 * An HTTP proxy in front of an API that passes every request on, and for every `nth` one whose
 * body contains `match` waits for the API's answer and then drops the connection instead of
 * answering: the API did the work, the client saw a network error.
 */
async function droppingProxy(target, { match, nth }) {
  let seen = 0;
  let dropped = 0;
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const headers = { ...req.headers };
    delete headers.host;
    delete headers['content-length'];
    delete headers.connection;
    try {
      const answer = await fetch(`${target}${req.url}`, {
        method: req.method,
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
      });
      const text = Buffer.from(await answer.arrayBuffer());
      if (body.includes(match) && ++seen % nth === 0) {
        dropped += 1;
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
      res.end(text);
    } catch {
      req.socket.destroy();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    dropped: () => dropped,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}

test('answers to asks dropped after the work is done: no budget trial wasted, none run twice', {
  timeout: 300_000,
}, async () => {
  requireHarness();
  // retryFailed 0 and a 3 s heartbeat timeout: a trial claimed by nobody would be reaped FAILED
  // and never retried, leaving the study short of COMPLETE trials.
  const n = 16;
  const c = await startCluster({
    apis: 1,
    subscribers: false,
    log,
    studyOverrides: { maxTrials: n, parallelism: 4, heartbeatTimeoutS: 3, retryFailed: 0 },
  });
  const proxy = await droppingProxy(c.apis[0].url, { match: 'askTrials', nth: 3 });
  try {
    // The cluster enqueued one probe trial; the workers run it and the other n - 1.
    for (let i = 0; i < 4; i++) {
      c.workers.push(
        startWorker({
          name: `worker-${i}@proxy`,
          apiUrl: proxy.url,
          token: c.workerToken,
          studyId: c.study.id,
          objective: objectiveFixture,
          env: { SCALE_LOG_DIR: c.logDir, SCALE_TRIAL_MS: '300' },
        }),
      );
    }
    const trials = await waitFor(
      async () => {
        const all = await c.db.trials(c.study.id);
        const open = all.filter((t) => t.state === 'WAITING' || t.state === 'RUNNING').length;
        return (await c.db.studyState(c.study.id)) === 'DONE' && open === 0 ? all : false;
      },
      { timeoutMs: 240_000, what: 'the study to finish' },
    ).catch((e) => {
      throw new Error(`${e.message}\n${c.diagnostics()}`);
    });
    log(`answers dropped: ${proxy.dropped()}; states: ${trials.map((t) => t.state[0]).join('')}`);
    assert.ok(proxy.dropped() >= 2, 'the proxy dropped answers');
    const failed = trials.filter((t) => t.state !== 'COMPLETE');
    assert.deepEqual(
      failed.map((t) => `#${t.number} ${t.state} ${t.error}`),
      [],
      'every trial of the budget completed',
    );
    assert.equal(trials.length, n);
  } finally {
    await proxy.close();
    await c.stop();
  }
});

test('a database outage longer than the heartbeat timeout: no live trial is reaped', {
  timeout: 300_000,
}, async () => {
  requireHarness();
  const c = await startCluster({
    apis: 1,
    subscribers: false,
    log,
    studyOverrides: { maxTrials: 8, parallelism: 4, heartbeatTimeoutS: 3, retryFailed: 0 },
  });
  try {
    c.startWorkers(4, { env: { SCALE_TRIAL_MS: '20000', SCALE_STEPS: '20' } });
    await waitFor(
      async () => (await c.db.trials(c.study.id)).filter((t) => t.state === 'RUNNING').length === 4,
      { timeoutMs: 60_000, what: '4 trials RUNNING' },
    );
    const outageS = 8;
    // The workers' retried heartbeats land a few seconds after the database is back (their
    // backoff has grown during the outage): stand-in, hold the workers still until then.
    for (const w of c.workers) process.kill(w.proc.pid, 'SIGSTOP');
    c.pg.stop('fast');
    await sleep(outageS * 1000);
    c.pg.start();
    await waitApiReady(c.apis[0], 60_000);
    await sleep(3000);
    for (const w of c.workers) process.kill(w.proc.pid, 'SIGCONT');
    // Long enough for the reaper (every 2 s) to see heartbeats older than the timeout, had it
    // counted the outage against them.
    await sleep(10_000);
    const trials = await c.db.trials(c.study.id);
    const reaped = trials.filter((t) => t.error === 'stale');
    log(`after a ${outageS} s outage: ${trials.map((t) => `#${t.number} ${t.state}`).join(', ')}`);
    assert.deepEqual(
      reaped.map((t) => t.number),
      [],
      'no trial of a live worker was reaped',
    );
    assert.ok(
      c.workers.every((w) => w.running),
      'the workers lived through the outage',
    );
  } finally {
    await c.stop();
  }
});

test('an API replica killed under a subscriber: the gap is noticed and healed from the event log', {
  timeout: 300_000,
}, async () => {
  requireHarness();
  const n = 24;
  const c = await startCluster({
    apis: 2,
    subscribers: false,
    log,
    studyOverrides: { maxTrials: n, parallelism: 4, heartbeatTimeoutS: 30 },
  });
  const [a, b] = c.apis;
  const watcher = createNodeClient({ url: b.url, token: c.sessionToken, onSubscriptionReconnect: () => {} });
  const events = [];
  const errors = [];
  let resyncs = 0;
  const stop = watcher.trialEvents(c.study.id, {
    next: (e) => events.push(e),
    error: (e) => errors.push(e),
    resync: (reason) => {
      resyncs += 1;
      log(`resync after ${events.map((e) => e.seq).join(',')}: ${reason.message}`);
    },
  });
  try {
    await sleep(1000);
    // The workers talk to replica a only: events keep coming while b is down.
    for (let i = 0; i < 4; i++) {
      c.workers.push(
        startWorker({
          name: `worker-${i}@a`,
          apiUrl: a.url,
          token: c.workerToken,
          studyId: c.study.id,
          objective: objectiveFixture,
          env: { SCALE_LOG_DIR: c.logDir, SCALE_TRIAL_MS: '400' },
        }),
      );
    }
    await waitFor(() => events.length >= 6, { timeoutMs: 60_000, what: 'first events' });
    await b.kill9();
    const seenBefore = events.length;
    await sleep(3000);
    b.start();
    await waitApiReady(b, 60_000);
    const trials = await waitFor(
      async () => {
        const all = await c.db.trials(c.study.id);
        const open = all.filter((t) => t.state === 'WAITING' || t.state === 'RUNNING').length;
        return (await c.db.studyState(c.study.id)) === 'DONE' && open === 0 ? all : false;
      },
      { timeoutMs: 240_000, what: 'the study to finish' },
    );
    await waitFor(
      () => trials.every((t) => events.some((e) => e.trial.id === t.id && e.type === 'COMPLETE')),
      { timeoutMs: 20_000, what: 'the subscriber to see every COMPLETE' },
    ).catch(() => {});
    const seqs = events.map((e) => e.seq);
    log(
      `events: ${events.length} (${seenBefore} before the kill), resyncs ${resyncs}, errors ${errors.length}`,
    );
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => (seqs[0] ?? 1) + i),
      'consecutive numbers: nothing missed, nothing twice',
    );
    for (const t of trials) {
      assert.ok(
        events.some((e) => e.trial.id === t.id && e.type === t.state),
        `saw trial #${t.number} ${t.state}`,
      );
    }
    assert.deepEqual(errors, []);
  } finally {
    stop();
    await watcher.close();
    await c.stop();
  }
});
