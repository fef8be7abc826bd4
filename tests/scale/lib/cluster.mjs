// The multi-process setup on loopback: our own PostgreSQL, N API processes, a study, subscribers on
// every API, and worker processes split across the APIs. Used by the scale test and benchmark.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalPostgres } from './postgres.mjs';
import { cliBin, repoRoot, startApi, startWorker, usingShim } from './procs.mjs';
import { bootstrap, createStudy, database, subscribe, subscribersLive } from './study.mjs';

export const objectiveFixture = join(repoRoot, 'tests', 'scale', 'fixtures', 'objective.mjs');

/** Why the scale harness cannot run yet (the CLI's serve/worker not built), or null. */
export function harnessUnavailable() {
  if (usingShim) return null;
  for (const verb of ['serve', 'worker']) {
    const r = spawnSync(process.execPath, [cliBin, verb, '--help'], { encoding: 'utf8', cwd: repoRoot });
    // Commander prints the root help for an unknown verb's --help, so look for the verb's own usage.
    if (r.status !== 0 || !r.stdout.includes(`posterior ${verb}`))
      return `\`posterior ${verb}\` is not available (build the cli: npm run build): ${(r.stderr || r.stdout).trim().split('\n')[0]}`;
  }
  return null;
}

export async function startCluster({
  apis = 2,
  studyOverrides = {},
  log = () => {},
  subscribers: withSubscribers = true,
} = {}) {
  const cleanup = [];
  const logDir = mkdtempSync(join(tmpdir(), 'posterior-scale-logs-'));
  cleanup.push(() => rmSync(logDir, { recursive: true, force: true }));
  try {
    const pg = await startLocalPostgres();
    cleanup.push(() => pg.destroy());
    log(`postgres ${pg.url} (${pg.bin})`);
    const apiProcs = [];
    // One at a time: the first runs the migrations, the others find them applied.
    for (let i = 0; i < apis; i++) {
      const api = await startApi({ name: `api-${String.fromCharCode(97 + i)}`, databaseUrl: pg.url });
      cleanup.push(() => api.stop());
      apiProcs.push(api);
      log(`${api.name} ${api.url} pid ${api.pid}`);
    }
    const { client, sessionToken, team, workerToken } = await bootstrap(apiProcs[0].url);
    cleanup.push(() => client.close());
    const study = await createStudy(client, team.id, studyOverrides);
    const subscribers = withSubscribers
      ? apiProcs.map((api) => subscribe(api.url, sessionToken, study.id, `subscriber@${api.name}`))
      : [];
    cleanup.push(() => Promise.all(subscribers.map((s) => s.close())));
    // The first trial is enqueued by hand after subscribing: its CREATED event proves every
    // subscription is live before any worker starts, so no event can be missed by arriving early.
    let probes = 0;
    const ping = () => client.enqueueTrial(study.id, { x: probes++, y: 5 });
    if (withSubscribers) await subscribersLive(subscribers, ping);
    else await ping();
    const db = database(pg.url);
    const workers = [];
    cleanup.push(() => Promise.all(workers.map((w) => w.stop(5000))));
    const cluster = {
      pg,
      apis: apiProcs,
      client,
      sessionToken,
      workerToken,
      study,
      subscribers,
      db,
      logDir,
      workers,
      startWorkers(n, { env = {}, args = [] } = {}) {
        for (let i = 0; i < n; i++) {
          const api = apiProcs[workers.length % apiProcs.length];
          workers.push(
            startWorker({
              name: `worker-${workers.length}@${api.name}`,
              apiUrl: api.url,
              token: workerToken,
              studyId: study.id,
              objective: objectiveFixture,
              args,
              env: { SCALE_LOG_DIR: logDir, ...env },
            }),
          );
        }
        return workers.slice(-n);
      },
      diagnostics() {
        return [...apiProcs, ...workers].map((c) => c.tail(15)).join('\n');
      },
      async stop() {
        await cluster.db.close().catch(() => {});
        for (const fn of cleanup.reverse()) {
          try {
            await fn();
          } catch {
            // best effort: keep tearing down
          }
        }
      },
    };
    return cluster;
  } catch (error) {
    for (const fn of cleanup.reverse()) {
      try {
        await fn();
      } catch {
        // best effort
      }
    }
    throw error;
  }
}
