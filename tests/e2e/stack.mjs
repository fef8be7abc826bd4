// The dashboard's e2e/bench stack: our own PostgreSQL, the API (`posterior serve`), and the built
// dashboard (`next start`) proxying /graphql to that API. Reuses the scale harness's process helpers.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalPostgres } from '../scale/lib/postgres.mjs';
import { cliBin, freePort, repoRoot, startApi, startWorker, waitFor } from '../scale/lib/procs.mjs';

export { startWorker, waitFor };
export const webDir = join(repoRoot, 'apps', 'web');

/** Why the stack cannot run here, or null. */
export function stackUnavailable({ worker = true } = {}) {
  if (!existsSync(join(webDir, '.next', 'BUILD_ID')))
    return 'the dashboard is not built (npm run build -w @posterior/web)';
  if (!existsSync('/usr/bin/chromium') && !process.env.CHROMIUM_PATH)
    return 'chromium is not installed (apt-get install -y chromium)';
  for (const verb of worker ? ['serve', 'worker'] : ['serve']) {
    const r = spawnSync(process.execPath, [cliBin, verb, '--help'], { encoding: 'utf8', cwd: repoRoot });
    if (r.status !== 0 || !r.stdout.includes(`posterior ${verb}`))
      return `\`posterior ${verb}\` is not available yet (build the cli)`;
  }
  return null;
}

export async function startWeb(apiUrl, port) {
  const p = port ?? (await freePort());
  const output = [];
  const proc = spawn(join(repoRoot, 'node_modules', '.bin', 'next'), ['start', '-p', String(p)], {
    cwd: webDir,
    env: { ...process.env, API_URL: apiUrl, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: next-server is a grandchild
  });
  for (const s of [proc.stdout, proc.stderr]) s.on('data', (d) => output.push(String(d)));
  const url = `http://127.0.0.1:${p}`;
  await waitFor(async () => (await fetch(`${url}/login`).catch(() => null))?.ok, {
    timeoutMs: 60_000,
    what: `next start on ${url}`,
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
