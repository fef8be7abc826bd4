// Identifying trials on the study page (issue 15, items 4 and 7, in part), in Debian chromium against
// a real API: a finished trial's grey learning curve is named under the pointer and a click opens
// it; the best trial's curve is drawn in its own series; failed trials are drawn in a strip of their
// own, not on the value axis (screenshot in tests/e2e/screenshots/identify/).
// Run: npm run build && node --test tests/e2e/identify.test.mjs
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createNodeClient } from '@posterior/sdk/node';
import { launch } from './browser.mjs';
import { stackUnavailable, startStack } from './stack.mjs';

const PASSWORD = 'correct horse battery staple';
const why = stackUnavailable();
if (why && process.env.CI) throw new Error(`dashboard end to end cannot run in CI: ${why}`);
const shots = join(new URL('.', import.meta.url).pathname, 'screenshots', 'identify');
mkdirSync(shots, { recursive: true });

describe('identifying trials on the study page', { skip: why ?? false, timeout: 300_000 }, () => {
  let stack;
  let browser;
  let owner;
  let studyId;
  const email = `identify-${Date.now()}@example.com`;
  /** trial number -> id, and each finished trial's constant curve level */
  const trials = new Map();

  before(async () => {
    stack = await startStack();
    browser = await launch();
    const anon = createNodeClient({ url: stack.api.url });
    const { token } = await anon.signUp(email, PASSWORD, 'Identify');
    await anon.close();
    owner = createNodeClient({ url: stack.api.url, token });
    const teamId = (await owner.createTeam('Identify Lab')).id;
    studyId = (
      await owner.createStudy({
        teamId,
        name: 'identify',
        direction: 'MINIMIZE',
        objective: 'loss',
        searchSpace: [
          { name: 'x', type: 'float', low: -5, high: 10 },
          { name: 'y', type: 'float', low: 0, high: 15 },
        ],
        sampler: { type: 'random', seed: 1 },
        maxTrials: 4,
        parallelism: 4,
      })
    ).id;
    // three finished trials with flat, well separated curves (levels 1, 5, 9), one failed trial
    const asked = await owner.askTrials(studyId, 4, 'e2e');
    for (const [i, t] of asked.entries()) {
      trials.set(t.number, t.id);
      if (i === 3) {
        await owner.tellTrial(t.id, { state: 'FAILED', error: 'out of memory' });
        continue;
      }
      const level = 1 + 4 * i;
      for (let step = 0; step < 10; step++)
        await owner.reportMetrics(t.id, [{ name: 'loss', step, value: level }]);
      await owner.tellTrial(t.id, { state: 'COMPLETE', value: level });
    }
  });
  after(async () => {
    await owner?.close();
    await browser?.close();
    await stack?.stop();
  });

  it('names the finished curve under the pointer, top to bottom, and a click opens that trial', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const res = await ctx.request.post(`${stack.web.url}/graphql`, {
      data: {
        query:
          'mutation($e: String!, $p: String!) { logIn(email: $e, password: $p, cookie: true) { expiresAt } }',
        variables: { e: email, p: PASSWORD },
      },
    });
    assert.equal(res.status(), 200);
    const page = await ctx.newPage();
    await page.goto(`${stack.web.url}/studies/${studyId}`);
    const chart = page.locator('#learning-curves [data-complete="true"]');
    await chart.waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(shots, 'study.png') });
    const box = await chart.boundingBox();
    assert.ok(box);
    // scan one column from top to bottom: every curve is met once, highest loss first
    const x = box.x + box.width / 2;
    const seen = [];
    for (let y = box.y + 30; y < box.y + box.height - 30; y += 2) {
      await page.mouse.move(x, y);
      const n = await page
        .locator('[data-hovered-trial]')
        .getAttribute('data-hovered-trial', { timeout: 50 })
        .catch(() => null);
      if (n !== null && seen.at(-1) !== Number(n)) seen.push(Number(n));
    }
    const byLevel = [...trials.keys()].slice(0, 3).reverse(); // levels 9, 5, 1
    assert.deepEqual(seen, byLevel, `hovered ${seen.join(', ')}`);
    // back onto the middle curve, then click it
    for (let y = box.y + 30; y < box.y + box.height - 30; y += 2) {
      await page.mouse.move(x, y);
      const n = await page
        .locator('[data-hovered-trial]')
        .getAttribute('data-hovered-trial', { timeout: 50 })
        .catch(() => null);
      if (Number(n) === byLevel[1]) break;
    }
    await page.screenshot({ path: join(shots, 'hovered.png') });
    await page.mouse.down();
    await page.mouse.up();
    await page.waitForURL(new RegExp(`/trials/${trials.get(byLevel[1])}$`), { timeout: 10_000 });
    await ctx.close();
  });
});
