import { createNodeClient } from '@posterior/sdk/node';
import { launch } from './browser.mjs';

const api = 'http://127.0.0.1:4010',
  web = 'http://localhost:3000';
const c = createNodeClient({ url: api });
const auth = await c.signUp(`dbg-${Date.now()}@example.com`, 'correct horse battery staple', 'Dbg');
c.setToken(auth.token);
const team = await c.createTeam('dbg');
const study = await c.createStudy({
  teamId: team.id,
  name: 'dbg study',
  direction: 'MINIMIZE',
  objective: 'val_loss',
  searchSpace: [{ name: 'x', type: 'float', low: -5, high: 10 }],
  sampler: { type: 'random', seed: 1 },
  pruner: { type: 'none' },
  maxTrials: 6,
  parallelism: 2,
});
const [trial] = await c.askTrials(study.id, 1, 'dbg');
const b = await launch();
const ctx = await b.newContext({ viewport: { width: 1440, height: 900 } });
await ctx.addInitScript((t) => localStorage.setItem('posterior.session', t), auth.token);
const p = await ctx.newPage();
p.on('console', (m) => console.log('console', m.type(), m.text()));
p.on('websocket', (ws) => {
  ws.on('framereceived', (f) => console.log('ws <', String(f.payload).slice(0, 120)));
});
await p.goto(`${web}/studies/${study.id}`);
await p.getByText('Live', { exact: true }).waitFor();
await p.waitForTimeout(1500);
for (let step = 0; step < 4; step++) {
  await c.reportMetrics(trial.id, [{ name: 'val_loss', step, value: 1 / (step + 1) }]);
  await p.waitForTimeout(700);
  console.log(
    step,
    await p
      .locator('#learning-curves [data-last-point]')
      .getAttribute('data-last-point')
      .catch((e) => 'ERR ' + e.message.slice(0, 80)),
    await p
      .locator('#learning-curves [data-version]')
      .getAttribute('data-version')
      .catch(() => 'none'),
  );
}
await p.screenshot({ path: 'e2e/screenshots/_dbg2.png' });
await b.close();
await c.close();
