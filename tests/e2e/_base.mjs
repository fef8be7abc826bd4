import { launch } from './browser.mjs';
const b = await launch();
for (let i = 0; i < 3; i++) {
  const ctx = await b.newContext();
  const p = await ctx.newPage();
  const t0 = Date.now();
  await p.goto('http://localhost:3000/login', { waitUntil: 'commit' });
  await p.getByLabel('Email').fill('a@b.c');
  const t1 = Date.now() - t0;
  const nav = await p.evaluate(() => JSON.stringify(performance.getEntriesByType('navigation')[0].toJSON(), ['responseEnd', 'domInteractive', 'domContentLoadedEventEnd', 'loadEventEnd']));
  console.log('login interactive', t1, nav);
  await ctx.close();
}
await b.close();
