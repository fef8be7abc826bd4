// Screenshot one dashboard URL: node tests/e2e/screenshot.mjs URL out.png [dark|light] [fullPage 0|1] [scrollY]
import { launch } from './browser.mjs';

const [url, out, theme = 'dark', full = '0', clipY = '0'] = process.argv.slice(2);
const b = await launch();
const ctx = await b.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: theme });
const p = await ctx.newPage();
p.on('pageerror', (e) => console.log('pageerror:', e.message));
await p.addInitScript((t) => localStorage.setItem('posterior.theme', t), theme);
const t0 = Date.now();
await p.goto(url, { waitUntil: 'networkidle' });
console.log('loaded', Date.now() - t0, 'ms');
await p.evaluate(async () => {
  for (let y = 0; y < document.body.scrollHeight; y += 500) {
    window.scrollTo(0, y);
    await new Promise((r) => setTimeout(r, 60));
  }
  window.scrollTo(0, 0);
});
await p.waitForTimeout(800);
if (Number(clipY) > 0) await p.evaluate((y) => window.scrollTo(0, y), Number(clipY));
await p.waitForTimeout(200);
await p.screenshot({ path: out, fullPage: full === '1' });
await b.close();
