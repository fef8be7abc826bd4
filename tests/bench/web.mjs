#!/usr/bin/env node
// Dashboard benchmark (issue 6), in Debian chromium against a real `posterior serve` on a PostgreSQL of
// its own and the built dashboard (apps/web/server.mjs):
//   1. time until the study page is interactive with 1,000 and 10,000 trials (20 metric steps per
//      trial: 200,000 points at 10,000): from navigation start until every trial is in the table and on
//      the convergence plot and a click on "Log scale" is answered; then until every learning curve is in.
//      Measured on a first visit with nothing cached (the goal), then on a repeat visit in that profile.
//   2. delay from a reportMetrics call to its point being drawn on the live learning-curve chart.
//   npm run bench -- web [--sizes 1000,10000] [--runs 3] [--live 20] [--builds .next-baseline,.next]
// --builds serves each listed dashboard build (dist dirs under apps/web) against the same API and study
// and alternates their visits run by run (A B, then B A), so a side-by-side comparison shares the noise.
// Trials and metric points are seeded with SQL (seeding 10,000 trials through the API would take minutes
// and is not what is measured); the study itself is created through the API.
// Writes bench-results/web.json. Everything shares this machine's 2 cores.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodeClient } from '@posterior/sdk/node';
import pg from 'pg';
import { launch } from '../e2e/browser.mjs';
import { stackUnavailable, startStack, waitFor, webDir } from '../e2e/stack.mjs';
import { freePort } from '../scale/lib/procs.mjs';
import { parseBenchArgs } from './_args.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = parseBenchArgs({
  sizes: { type: 'string', default: '1000,10000' },
  runs: { type: 'string', default: '3' },
  live: { type: 'string', default: '20' },
  steps: { type: 'string', default: '20' },
  json: { type: 'string' },
  builds: { type: 'string' },
});
const sizes = args.sizes.split(',').map(Number);
const runs = Number(args.runs);
const steps = Number(args.steps);

const why = stackUnavailable();
if (why) {
  console.error(`web bench: ${why}`);
  process.exit(1);
}
const builds = args.builds ? args.builds.split(',') : null;
if (builds && new Set(builds).size !== builds.length) {
  console.error('web bench: --builds lists a build twice');
  process.exit(1);
}
for (const b of builds ?? []) {
  if (!existsSync(join(webDir, b, 'BUILD_ID'))) {
    console.error(`web bench: no dashboard build in apps/web/${b}`);
    process.exit(1);
  }
}

/** The dashboard server (server.mjs) on one build (dist dir under apps/web); stopped with its process group. */
async function startBuild(apiUrl, distDir) {
  const port = await freePort();
  const proc = spawn(process.execPath, [join(webDir, 'server.mjs'), '-p', String(port), '-H', '127.0.0.1'], {
    cwd: webDir,
    env: { ...process.env, API_URL: apiUrl, NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: 'ignore',
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/login`).catch(() => null))?.ok, {
    timeoutMs: 60_000,
    what: `the dashboard (${distDir}) on ${url}`,
  });
  return {
    name: distDir,
    url,
    stop() {
      try {
        process.kill(-proc.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}

const SPACE = [
  { name: 'lr', type: 'float', low: 1e-5, high: 0.1, log: true },
  { name: 'units', type: 'int', low: 16, high: 512, log: true },
  { name: 'dropout', type: 'float', low: 0, high: 0.7, step: 0.05 },
  { name: 'batch', type: 'categorical', choices: [16, 32, 64, 128, 256] },
  { name: 'act', type: 'categorical', choices: ['relu', 'gelu'] },
];

async function seed(pool, studyId, n) {
  // Deterministic pseudo-random values from the trial number (no random()): same data every run.
  await pool.query(
    `INSERT INTO trials (study_id, number, state, params, value, suggestion, worker_id, started_at, finished_at, error)
     SELECT $1, g,
       CASE WHEN g % 17 = 5 THEN 'FAILED' WHEN g % 7 = 3 THEN 'PRUNED' ELSE 'COMPLETE' END,
       jsonb_build_object('lr', power(10, -5 + 4 * ((g * 0.6180339887) % 1)), 'units', 16 + (g * 37) % 496,
         'dropout', ((g * 3) % 15) * 0.05, 'batch', (ARRAY[16,32,64,128,256])[1 + g % 5], 'act', CASE WHEN g % 2 = 0 THEN 'relu' ELSE 'gelu' END),
       CASE WHEN g % 17 = 5 THEN NULL ELSE 0.1 + 0.25 * power(-5 + 4 * ((g * 0.6180339887) % 1) + 3, 2) + 0.05 * ((g * 0.7548776662) % 1) END,
       CASE WHEN g > 10 THEN jsonb_build_object('sampler', 'gp', 'phase', 'model', 'mean', 0.3, 'std', 0.05, 'acquisition', -2.5) END,
       'bench-' || (g % 4), now() - make_interval(secs => ($2 - g) * 60), now() - make_interval(secs => ($2 - g) * 60 - 30),
       CASE WHEN g % 17 = 5 THEN 'bench failure' END
     FROM generate_series(0, $2 - 1) g`,
    [studyId, n],
  );
  await pool.query(
    `INSERT INTO metric_points (trial_id, study_id, name, step, value)
     SELECT t.id, t.study_id, 'val_loss', s, COALESCE(t.value, 1) + exp(-s / 4.0)
     FROM trials t CROSS JOIN generate_series(0, $2 - 1) s WHERE t.study_id = $1`,
    [studyId, steps],
  );
  await pool.query('UPDATE studies SET next_trial_number = $2 WHERE id = $1', [studyId, n]);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.floor((s.length - 1) / 2)] + s[Math.ceil((s.length - 1) / 2)]) / 2 : Number.NaN;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

/**
 * Chrome's cumulative metrics of the page's renderer (seconds): main-thread task and script time
 * (wall clock inside tasks) and the CPU time of its main thread and of the whole renderer process.
 */
async function threadTimes(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
  return {
    task: m.TaskDuration ?? 0,
    script: m.ScriptDuration ?? 0,
    threadCpu: m.ThreadTime ?? 0,
    processCpu: m.ProcessTime ?? 0,
  };
}

/**
 * One navigation to the study page, timed from its start: first chart, all trials, interactive, all
 * curves; and the renderer's main-thread and process time until interactive. Their CPU times are what
 * a busy shared machine inflates least, so they compare builds with less noise than the wall clock.
 */
async function visit(page, url, n) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const before = await threadTimes(cdp);
  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'commit' });
  const marks = {};
  await page.locator('#convergence [data-points]').waitFor({ timeout: 120_000 });
  marks.firstChart = Date.now() - t0;
  await page.getByText(new RegExp(`of ${n.toLocaleString('en-US')} trials`)).waitFor({ timeout: 120_000 });
  marks.allTrials = Date.now() - t0;
  // Interactive: every trial is in and a click on a control is answered (the checkbox flips).
  const box = page.getByLabel('Log scale');
  const wasChecked = await box.isChecked();
  await box.click();
  await waitFor(async () => (await box.isChecked()) !== wasChecked, {
    timeoutMs: 30_000,
    intervalMs: 10,
    what: 'log scale toggle',
  });
  marks.interactive = Date.now() - t0;
  const after = await threadTimes(cdp);
  marks.mainThreadMs = Math.round((after.task - before.task) * 1000);
  marks.scriptMs = Math.round((after.script - before.script) * 1000);
  marks.mainThreadCpuMs = Math.round((after.threadCpu - before.threadCpu) * 1000);
  marks.rendererCpuMs = Math.round((after.processCpu - before.processCpu) * 1000);
  await cdp.detach();
  // The learning curves' history keeps streaming in after that (200,000 points at 10,000 trials).
  await page.locator('#learning-curves [data-complete="true"]').waitFor({ timeout: 300_000 });
  marks.curves = Date.now() - t0;
  marks.points = Number(await page.locator('#convergence [data-points]').getAttribute('data-points'));
  return marks;
}

/**
 * Signs a browser profile in as the dashboard does: the session secret in the API's httpOnly cookie
 * on the dashboard origin, and the "signed in" hint that lets the page ask for its data early.
 */
async function signIn(ctx, url, token) {
  await ctx.addCookies([
    { name: 'posterior_session', value: token, url: new URL(url).origin, httpOnly: true, sameSite: 'Lax' },
  ]);
  await ctx.addInitScript(() => localStorage.setItem('posterior.signedIn', '1'));
}

/**
 * A first visit in a fresh browser profile (nothing cached: the figure the goal is judged on), then
 * a repeat visit in the same profile, as a returning user makes it (scripts from the HTTP cache,
 * compiled code from V8's cache).
 */
async function timeToInteractive(browser, url, token, n) {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await signIn(ctx, url, token);
  const page = await ctx.newPage();
  const first = await visit(page, url, n);
  const repeat = await visit(page, url, n);
  await ctx.close();
  return { ...first, repeatInteractive: repeat.interactive, repeatMainThreadMs: repeat.mainThreadMs };
}

async function liveLatency(browser, url, token, client, studyId, count) {
  const [trial] = await client.askTrials(studyId, 1, 'bench-live');
  if (!trial) throw new Error('askTrials returned nothing');
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await signIn(ctx, url, token);
  const page = await ctx.newPage();
  await page.goto(url);
  await page.getByText('Live', { exact: true }).waitFor({ timeout: 60_000 });
  // measure once the page is settled: the history of curves loaded
  await page.locator('#learning-curves [data-complete="true"]').waitFor({ timeout: 120_000 });
  await page.waitForTimeout(500);
  await page.evaluate(() => {
    window.__seen = {};
    const obs = new MutationObserver(() => {
      const el = document.querySelector('#learning-curves [data-last-point]');
      const v = el?.getAttribute('data-last-point');
      if (v && !(v in window.__seen)) {
        // Wait for the frame that paints it, then record the wall clock.
        requestAnimationFrame(() => {
          window.__seen[v] = Date.now();
        });
      }
    });
    obs.observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-last-point'] });
  });
  const delays = [];
  for (let step = 0; step < count; step++) {
    const key = `${trial.id}:val_loss:${step}`;
    const sent = Date.now();
    await client.reportMetrics(trial.id, [{ name: 'val_loss', step, value: 1 / (step + 1) }]);
    const seen = await waitFor(() => page.evaluate((k) => window.__seen[k], key), {
      timeoutMs: 10_000,
      intervalMs: 5,
      what: `point ${key} on the chart`,
    });
    delays.push(seen - sent);
    await new Promise((r) => setTimeout(r, 150));
  }
  await ctx.close();
  return delays;
}

const stack = await startStack();
const browser = await launch();
const pool = new pg.Pool({ connectionString: stack.pg.url, max: 2 });
const results = { machine: '2 cores shared by PostgreSQL, API, Next and chromium', sizes: [], live: null };
const webs = [];
try {
  if (builds) for (const b of builds) webs.push(await startBuild(stack.api.url, b));
  else webs.push({ name: process.env.WEB_DIST_DIR || '.next', url: stack.web.url });
  const client = createNodeClient({ url: stack.api.url });
  const auth = await client.signUp(
    `bench-${Date.now()}@example.com`,
    'correct horse battery staple',
    'Bench',
  );
  client.setToken(auth.token);
  const team = await client.createTeam('web bench');
  for (const n of sizes) {
    const study = await client.createStudy({
      teamId: team.id,
      name: `bench ${n}`,
      direction: 'MINIMIZE',
      objective: 'val_loss',
      searchSpace: SPACE,
      sampler: { type: 'random', seed: 1 },
      pruner: { type: 'none' },
      maxTrials: n + 1000,
      parallelism: 4,
    });
    const t = Date.now();
    await seed(pool, study.id, n);
    console.log(`seeded ${n} trials and ${n * steps} metric points in ${Date.now() - t} ms`);
    const path = `/studies/${study.id}`;
    // warm-up (first compile of routes, caches), then the runs, alternating builds (A B, B A, ...)
    for (const w of webs) await timeToInteractive(browser, `${w.url}${path}`, auth.token, n);
    const samples = new Map(webs.map((w) => [w.name, []]));
    for (let i = 0; i < runs; i++) {
      const order = i % 2 === 0 ? webs : [...webs].reverse();
      for (const w of order)
        samples.get(w.name).push(await timeToInteractive(browser, `${w.url}${path}`, auth.token, n));
    }
    for (const w of webs) {
      const ss = samples.get(w.name);
      const row = {
        build: w.name,
        trials: n,
        metricPoints: n * steps,
        firstChartMs: median(ss.map((s) => s.firstChart)),
        allTrialsMs: median(ss.map((s) => s.allTrials)),
        curvesMs: median(ss.map((s) => s.curves)),
        interactiveMs: median(ss.map((s) => s.interactive)),
        repeatInteractiveMs: median(ss.map((s) => s.repeatInteractive)),
        mainThreadMs: median(ss.map((s) => s.mainThreadMs)),
        scriptMs: median(ss.map((s) => s.scriptMs)),
        mainThreadCpuMs: median(ss.map((s) => s.mainThreadCpuMs)),
        rendererCpuMs: median(ss.map((s) => s.rendererCpuMs)),
        samples: ss,
      };
      results.sizes.push(row);
      console.log(
        `${n} trials [${w.name}]: first chart ${row.firstChartMs} ms, all trials ${row.allTrialsMs} ms, interactive ${row.interactiveMs} ms (repeat visit ${row.repeatInteractiveMs} ms), all curves ${row.curvesMs} ms; main thread until interactive ${row.mainThreadMs} ms (script ${row.scriptMs} ms, CPU ${row.mainThreadCpuMs} ms; renderer CPU ${row.rendererCpuMs} ms); interactive runs ${ss.map((s) => s.interactive).join(', ')}`,
      );
    }
    const url = `${webs[0].url}${path}`;
    if (n === sizes[0] && Number(args.live) > 0) {
      const delays = await liveLatency(browser, url, auth.token, client, study.id, Number(args.live));
      results.live = {
        samples: delays,
        p50Ms: median(delays),
        p95Ms: pct(delays, 0.95),
        maxMs: Math.max(...delays),
      };
    }
  }
  await client.close();
} finally {
  for (const w of webs) w.stop?.();
  await pool.end();
  await browser.close();
  await stack.stop();
}

console.log('\nStudy page: time to interactive (median of', runs, 'runs, ms)');
console.log(
  `${builds ? 'build'.padEnd(16) : ''}trials   points    first chart  all trials  interactive  all curves  goal (interactive)  repeat visit`,
);
for (const r of results.sizes) {
  if (builds) process.stdout.write(r.build.padEnd(16));
  const goal = r.trials <= 1000 ? (r.interactiveMs < 2000 ? '< 2000 ok' : '< 2000 MISSED') : '—';
  console.log(
    `${String(r.trials).padEnd(8)} ${String(r.metricPoints).padEnd(9)} ${String(r.firstChartMs).padStart(11)}  ${String(r.allTrialsMs).padStart(10)}  ${String(r.interactiveMs).padStart(11)}  ${String(r.curvesMs).padStart(10)}  ${goal.padEnd(18)} ${String(r.repeatInteractiveMs).padStart(12)}`,
  );
}
if (builds) {
  // Run i of every build shared its moment on the machine: per-run differences cancel most of the noise.
  console.log(
    `\nPaired against ${builds[0]} (median of per-run differences, runs where the build was faster)`,
  );
  for (const r of results.sizes) {
    const base = results.sizes.find((x) => x.trials === r.trials && x.build === builds[0]);
    if (!base || base === r) continue;
    const cols = ['interactive', 'firstChart', 'mainThreadCpuMs', 'rendererCpuMs'].map((k) => {
      const d = r.samples.map((s, i) => s[k] - base.samples[i][k]);
      const faster = d.filter((x) => x < 0).length;
      return `${k} ${median(d) > 0 ? '+' : ''}${median(d)} ms (${faster}/${d.length})`;
    });
    console.log(`${r.build.padEnd(16)}${String(r.trials).padEnd(8)} ${cols.join(', ')}`);
  }
}
if (results.live) {
  const l = results.live;
  console.log(
    `\nLive metric point -> drawn on the chart (${l.samples.length} points): p50 ${l.p50Ms} ms, p95 ${l.p95Ms} ms, max ${l.maxMs} ms (goal < 500 ms: ${l.p95Ms < 500 ? 'ok' : 'MISSED'})`,
  );
}
const out = args.json ?? join(root, 'bench-results', 'web.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote ${out}`);
