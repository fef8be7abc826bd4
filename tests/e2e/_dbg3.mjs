import { createNodeClient } from '@posterior/sdk/node';
import pg from 'pg';
import { launch } from './browser.mjs';

const api = 'http://127.0.0.1:4010',
  web = 'http://localhost:3000';
const [pgUrl, n = '1000'] = process.argv.slice(2);
const c = createNodeClient({ url: api });
const auth = await c.signUp(`dbg-${Date.now()}@example.com`, 'correct horse battery staple', 'Dbg');
c.setToken(auth.token);
const team = await c.createTeam('dbg');
const SPACE = [
  { name: 'lr', type: 'float', low: 1e-5, high: 0.1, log: true },
  { name: 'units', type: 'int', low: 16, high: 512, log: true },
  { name: 'dropout', type: 'float', low: 0, high: 0.7, step: 0.05 },
  { name: 'batch', type: 'categorical', choices: [16, 32, 64, 128, 256] },
  { name: 'act', type: 'categorical', choices: ['relu', 'gelu'] },
];
const study = await c.createStudy({
  teamId: team.id,
  name: `dbg ${n}`,
  direction: 'MINIMIZE',
  objective: 'val_loss',
  searchSpace: SPACE,
  sampler: { type: 'random', seed: 1 },
  pruner: { type: 'none' },
  maxTrials: Number(n) + 100,
  parallelism: 2,
});
const pool = new pg.Pool({ connectionString: pgUrl, max: 2 });
await pool.query(
  `INSERT INTO trials (study_id, number, state, params, value, worker_id, started_at, finished_at)
  SELECT $1, g, 'COMPLETE', jsonb_build_object('lr', power(10, -5 + 4 * ((g * 0.618) % 1)), 'units', 16 + (g * 37) % 496, 'dropout', ((g * 3) % 15) * 0.05, 'batch', 32, 'act', 'relu'),
  0.1 + ((g * 0.7548) % 1), 'w', now(), now() FROM generate_series(0, $2 - 1) g`,
  [study.id, Number(n)],
);
await pool.query(
  `INSERT INTO metric_points (trial_id, study_id, name, step, value) SELECT t.id, t.study_id, 'val_loss', s, t.value + exp(-s/4.0) FROM trials t CROSS JOIN generate_series(0, 19) s WHERE t.study_id = $1`,
  [study.id],
);
await pool.query('UPDATE studies SET next_trial_number = $2 WHERE id = $1', [study.id, Number(n)]);
await pool.end();
const b = await launch();
for (let run = 0; run < 2; run++) {
  const ctx = await b.newContext({ viewport: { width: 1440, height: 900 } });
  await ctx.addInitScript((t) => localStorage.setItem('posterior.session', t), auth.token);
  const p = await ctx.newPage();
  const t0 = Date.now();
  const log = [];
  p.on('request', (r) => {
    if (!r.url().includes('_next/static'))
      log.push(
        `${Date.now() - t0} > ${r.method()} ${r.url().replace(web, '')} ${(r.postData() ?? '').slice(0, 60)}`,
      );
  });
  p.on('requestfinished', (r) => {
    if (!r.url().includes('_next/static')) log.push(`${Date.now() - t0} < ${r.url().replace(web, '')}`);
  });
  p.on('console', (m) => log.push(`${Date.now() - t0} console ${m.text().slice(0, 100)}`));
  await p.goto(`${web}/studies/${study.id}`, { waitUntil: 'commit' });
  await p
    .locator('#convergence [data-points]')
    .waitFor({ timeout: 20000 })
    .catch(async (e) => {
      console.log(log.join('\n'));
      await p.screenshot({ path: 'e2e/screenshots/_fail.png' });
      throw e;
    });
  log.push(`${Date.now() - t0} CONVERGENCE`);
  await p.getByText(new RegExp(`of ${Number(n).toLocaleString('en-US')} trials`)).waitFor({ timeout: 60000 });
  log.push(`${Date.now() - t0} ALL TRIALS`);
  await p.waitForTimeout(3000);
  if (run === 1) console.log(log.slice(0, 60).join('\n'));
  await ctx.close();
}
await b.close();
await c.close();
