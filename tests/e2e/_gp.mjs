import { createNodeClient } from '@posterior/sdk/node';
import { launch } from './browser.mjs';
const api = 'http://127.0.0.1:4010', web = 'http://localhost:3000';
const c = createNodeClient({ url: api });
const auth = await c.signUp(`gp-${Date.now()}@example.com`, 'correct horse battery staple', 'GP Demo');
c.setToken(auth.token);
const team = await c.createTeam('Vision Lab');
const study = await c.createStudy({ teamId: team.id, name: 'mnist transfer (gp)', direction: 'MINIMIZE', objective: 'val_loss',
  searchSpace: [{ name: 'lr', type: 'float', low: 1e-5, high: 0.1, log: true }, { name: 'dropout', type: 'float', low: 0, high: 0.7, step: 0.05 }, { name: 'units', type: 'int', low: 16, high: 512, log: true }, { name: 'act', type: 'categorical', choices: ['relu', 'gelu'] }],
  sampler: { type: 'gp', seed: 0 }, pruner: { type: 'none' }, maxTrials: 30, parallelism: 1 });
const f = (p) => 0.1 + 0.3 * (Math.log10(p.lr) + 3) ** 2 + 0.8 * (p.dropout - 0.2) ** 2 + (p.act === 'gelu' ? -0.02 : 0) + 0.03 * Math.abs(Math.log2(p.units) - 7);
for (let i = 0; i < 16; i++) {
  const [t] = await c.askTrials(study.id, 1, 'demo-worker');
  const v = f(t.params);
  for (let s = 0; s < 10; s++) await c.reportMetrics(t.id, [{ name: 'val_loss', step: s, value: v + Math.exp(-s / 3) }, { name: 'acc', step: s, value: 1 - v / 2 - 0.3 * Math.exp(-s / 3) }]);
  await c.tellTrial(t.id, i === 5 ? { state: 'FAILED', error: 'OOM' } : { state: 'COMPLETE', value: v });
}
const [running] = await c.askTrials(study.id, 1, 'demo-worker');
for (let s = 0; s < 4; s++) await c.reportMetrics(running.id, [{ name: 'val_loss', step: s, value: 0.3 + Math.exp(-s / 3) }]);
console.log('study', `${web}/studies/${study.id}`, 'token', auth.token);
const b = await launch();
for (const theme of ['light', 'dark']) {
  const ctx = await b.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: theme });
  await ctx.addInitScript(([t, th]) => { localStorage.setItem('posterior.session', t); localStorage.setItem('posterior.theme', th); }, [auth.token, theme]);
  const p = await ctx.newPage();
  await p.goto(`${web}/studies/${study.id}`);
  await p.locator('#convergence [data-ready="true"]').waitFor();
  await p.evaluate(async () => { for (let y = 0; y < document.body.scrollHeight; y += 500) { window.scrollTo(0, y); await new Promise((r) => setTimeout(r, 80)); } window.scrollTo(0, 0); });
  await p.waitForTimeout(2500);
  await p.screenshot({ path: `e2e/screenshots/study-gp-${theme}.png`, fullPage: true });
  await p.goto(`${web}/teams/${team.id}/studies`);
  await p.getByRole('link', { name: 'mnist transfer (gp)' }).waitFor();
  await p.waitForTimeout(500);
  await p.screenshot({ path: `e2e/screenshots/studies-${theme}.png` });
  await ctx.close();
}
await b.close(); await c.close();
