import { launch } from './browser.mjs';
const [n = '1000'] = process.argv.slice(2);
const b = await launch();
for (let i = 0; i < 2; i++) {
  const ctx = await b.newContext({ viewport: { width: 1440, height: 900 } });
  const p = await ctx.newPage();
  const t0 = Date.now();
  await p.goto(`http://localhost:3000/preview/study?trials=${n}&steps=20`, { waitUntil: 'commit' });
  await p.locator('#convergence [data-ready="true"]').waitFor({ timeout: 60000 });
  const t1 = Date.now() - t0;
  const box = p.getByLabel('Log scale');
  const c0 = Date.now();
  await box.click();
  while (!(await box.isChecked())) await p.waitForTimeout(5);
  const t2 = Date.now() - c0;
  const longtasks = await p.evaluate(() => performance.getEntriesByType('longtask').length);
  console.log(`preview ${n}: convergence drawn ${t1} ms, click answered in ${t2} ms`);
  await ctx.close();
}
await b.close();
