// The dashboard's e2e/bench stack: our own PostgreSQL, the API (`posterior serve`), and the built
// dashboard (apps/web/server.mjs: Next plus the WebSocket proxy) proxying /graphql to that API. Reuses the scale harness's process helpers.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalPostgres } from '../scale/lib/postgres.mjs';
import { cliBin, freePort, repoRoot, startApi, startWorker, waitFor } from '../scale/lib/procs.mjs';
import { CHROMIUM } from './browser.mjs';

export { startWorker, waitFor };
export const webDir = join(repoRoot, 'apps', 'web');
/** The dashboard build to serve (WEB_DIST_DIR=.next-dev serves a developer's separate build). */
const distDir = process.env.WEB_DIST_DIR || '.next';

function cliHas(verb) {
  const r = spawnSync(process.execPath, [cliBin, verb, '--help'], { encoding: 'utf8', cwd: repoRoot });
  return r.status === 0 && r.stdout.includes(`posterior ${verb}`);
}

/** Why the stack cannot run here, or null. */
export function stackUnavailable() {
  if (!existsSync(join(webDir, distDir, 'BUILD_ID')))
    return `the dashboard is not built (${distDir}/BUILD_ID missing: npm run build)`;
  if (!existsSync(CHROMIUM))
    return `no Chromium at ${CHROMIUM}; apt-get install -y chromium, or set CHROMIUM_PATH`;
  if (!cliHas('serve')) return '`posterior serve` is not available yet (build the cli)';
  return null;
}

/** Whether `posterior worker` exists (else tests drive trials with an SDK loop of the same contract). */
export const cliWorkerAvailable = () => cliHas('worker');

export async function startWeb(apiUrl, port) {
  const p = port ?? (await freePort());
  const output = [];
  const proc = spawn(process.execPath, [join(webDir, 'server.mjs'), '-p', String(p), '-H', '127.0.0.1'], {
    cwd: webDir,
    env: { ...process.env, API_URL: apiUrl, NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, stopped as one
  });
  for (const s of [proc.stdout, proc.stderr]) s.on('data', (d) => output.push(String(d)));
  const url = `http://127.0.0.1:${p}`;
  await waitFor(async () => (await fetch(`${url}/login`).catch(() => null))?.ok, {
    timeoutMs: 60_000,
    what: `the dashboard on ${url}`,
  });
  return {
    url,
    output,
    async stop() {
      try {
        process.kill(-proc.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}

export async function startStack() {
  const pg = await startLocalPostgres();
  let api;
  try {
    api = await startApi({ name: 'web-e2e', databaseUrl: pg.url });
    const web = await startWeb(api.url);
    return {
      pg,
      api,
      web,
      async stop() {
        await web.stop();
        await api.stop();
        pg.destroy();
      },
    };
  } catch (e) {
    await api?.stop();
    pg.destroy();
    throw e;
  }
}

/**
 * A stand-in for `posterior worker` while the CLI lacks it: the same objective module (docs/DESIGN.md 6b) run
 * in-process through the SDK (askTrials, reportMetrics, tellTrial). Returns { stop() }.
 */
export async function startSdkWorker({ apiUrl, token, studyId, objective }) {
  const { createNodeClient } = await import('@posterior/sdk/node');
  const fn = (await import(objective)).default;
  const client = createNodeClient({ url: apiUrl, token });
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const [trial] = await client.askTrials(studyId, 1, 'e2e-sdk-worker');
      if (!trial) {
        await new Promise((r) => setTimeout(r, 300));
        continue;
      }
      const ctl = new AbortController();
      const handle = {
        id: trial.id,
        number: trial.number,
        params: trial.params,
        signal: ctl.signal,
        async report(step, metrics) {
          const points = Object.entries(metrics).map(([name, value]) => ({ name, step, value }));
          return client.reportMetrics(trial.id, points);
        },
        prune() {
          throw Object.assign(new Error('pruned'), { pruned: true });
        },
        async saveCheckpoint(file) {
          await client.uploadArtifact(trial.id, file);
        },
      };
      try {
        const value = await fn(handle);
        await client.tellTrial(trial.id, { state: 'COMPLETE', value });
      } catch (e) {
        if (stopped) break;
        await client.tellTrial(
          trial.id,
          e?.pruned ? { state: 'PRUNED' } : { state: 'FAILED', error: String(e?.message ?? e) },
        );
      }
    }
  })().catch(() => {});
  return {
    async stop() {
      stopped = true;
      await Promise.race([loop, new Promise((r) => setTimeout(r, 5000))]);
      await client.close();
    },
  };
}
