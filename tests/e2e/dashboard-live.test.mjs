// A study watched live in the dashboard, in Debian chromium against a real API: with the page open, a
// worker starts; trial rows, learning-curve points and convergence points arrive by subscription,
// without a reload. The test makes its own user, team and study (tests/e2e/dashboard-fixture.mjs).
// Run: npm run build && node --test tests/e2e/dashboard-live.test.mjs
import assert from 'node:assert/strict';
import {
  createBranin,
  dashboardSuite,
  newOwner,
  shot,
  signedInContext,
  startObjectiveWorker,
  waitFor,
} from './dashboard-fixture.mjs';

const { describe, it, env, why } = dashboardSuite();

describe('dashboard: a study live', { timeout: 300_000 }, () => {
  it('shows trials and learning curves live while a worker runs, without reloading', async () => {
    const { stack, browser } = env;
    const owner = await newOwner(stack, { prefix: 'live' });
    const study = await createBranin(owner.client, owner.teamId, {
      sampler: { type: 'gp', seed: 3, nStartupTrials: 3 },
      maxTrials: 6,
    });
    const ctx = await signedInContext(browser, stack, owner.email);
    let worker;
    try {
      const page = await ctx.newPage();
      await page.goto(`${stack.web.url}/studies/${study.id}`);
      await page.getByRole('heading', { name: 'No trials yet', exact: true }).waitFor();
      await page.evaluate(() => {
        window.__sameDocument = true;
      });
      worker = await startObjectiveWorker({ stack, token: owner.token, studyId: study.id });
      // a trial row appears in the table and points on the learning-curve chart, pushed by subscription
      await page
        .getByRole('table', { name: 'Trials' })
        .getByRole('link', { name: /Open trial 0/ })
        .waitFor({ timeout: 60_000 });
      const curves = page.locator('#learning-curves [data-last-point]');
      await waitFor(async () => ((await curves.getAttribute('data-last-point')) ?? '') !== '', {
        timeoutMs: 60_000,
        what: 'a live metric point on the learning curves',
      });
      const firstVersion = Number(await curves.getAttribute('data-version'));
      await waitFor(async () => Number(await curves.getAttribute('data-version')) > firstVersion, {
        timeoutMs: 30_000,
        what: 'the learning curves to update again',
      });
      await page.getByText(/Live/).first().waitFor();
      await shot(page, 'study-live');
      // trials complete and land on the convergence plot
      const conv = page.locator('#convergence [data-points]');
      await conv.waitFor({ timeout: 90_000 });
      await waitFor(async () => Number(await conv.getAttribute('data-points')) >= 2, {
        timeoutMs: 90_000,
        what: 'two finished trials',
      });
      assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was never reloaded');
    } finally {
      await worker?.stop(5000);
      await ctx.close();
      await owner.close();
    }
  });
});

if (why) console.log(`# skipped: ${why}`);
