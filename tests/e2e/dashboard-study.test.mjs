// A finished study in the dashboard, in Debian chromium against a real API: the trials table filtered
// through the URL, a trial's page (both themes) and its checkpoint download, the report, the
// convergence plot's PNG export and log scale, the GP's views. The file's one fixture is a GP study
// run to its end by a worker before the first test (nothing here changes it), so any test runs alone;
// a test that needs a running trial makes its own study (tests/e2e/dashboard-fixture.mjs).
// Run: npm run build && node --test tests/e2e/dashboard-study.test.mjs
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  createBranin,
  dashboardSuite,
  newOwner,
  runStudyToEnd,
  shot,
  signedInContext,
  startObjectiveWorker,
  waitFor,
} from './dashboard-fixture.mjs';
import { checkpointOf } from './fixtures/objective.mjs';

const { before, after, describe, it, env, why } = dashboardSuite();
const BUDGET = 8;

describe('dashboard: a finished study', { timeout: 400_000 }, () => {
  let owner;
  let studyId;
  let ctx;
  const studyUrl = () => `${env.stack.web.url}/studies/${studyId}`;
  /** A new page on the finished study, its trials drawn. */
  const openStudy = async () => {
    const page = await ctx.newPage();
    await page.goto(studyUrl());
    await page.getByRole('heading', { name: 'branin e2e', exact: true }).waitFor();
    await page.getByRole('link', { name: 'Open trial 0' }).waitFor();
    return page;
  };

  before(async () => {
    owner = await newOwner(env.stack, { prefix: 'study' });
    const study = await createBranin(owner.client, owner.teamId, {
      sampler: { type: 'gp', seed: 3, nStartupTrials: 3 },
      maxTrials: BUDGET,
    });
    studyId = study.id;
    // trial 0 has chosen params: its checkpoint's bytes are known (fixtures/objective.mjs)
    await owner.client.enqueueTrial(studyId, { x: 1.5, y: 2.5 });
    await runStudyToEnd({ stack: env.stack, owner, studyId, maxTrials: BUDGET });
    ctx = await signedInContext(env.browser, env.stack, owner.email, { acceptDownloads: true });
  });
  after(async () => {
    await ctx?.close();
    await owner?.close();
  });

  it('filters the trials table through the URL', async () => {
    const page = await openStudy();
    const table = page.getByRole('table', { name: 'Trials' });
    await page.getByRole('search', { name: 'Filter trials' }).getByLabel('complete').check();
    await waitFor(async () => new URL(page.url()).searchParams.get('tstate') === 'COMPLETE', {
      what: 'tstate in the URL',
    });
    const states = await table.locator('tbody .badge').allTextContents();
    assert.ok(states.length > 0 && states.every((s) => s === 'complete' || s === 'best'), states.join(','));
    await page.getByRole('search', { name: 'Filter trials' }).getByLabel('complete').uncheck();
    await waitFor(async () => !new URL(page.url()).searchParams.has('tstate'), { what: 'tstate removed' });
    await shot(page, 'study');
    await page.close();
  });

  it('opens a trial and shows its params and metric curves', async () => {
    const page = await openStudy();
    await page.getByRole('link', { name: 'Open trial 0' }).click();
    await page.getByRole('heading', { name: 'Trial #0', exact: true }).waitFor();
    await page.getByRole('heading', { name: 'Parameters', exact: true }).waitFor();
    await page.getByRole('heading', { name: 'loss', exact: true }).waitFor();
    assert.ok((await page.locator('dd').allTextContents()).length > 3);
    await shot(page, 'trial');
    // the dashed "best" marker's label sits above the plot: look at it in the dark theme too
    await page.evaluate(() => localStorage.setItem('posterior.theme', 'dark'));
    await page.reload();
    await page.getByRole('heading', { name: 'loss', exact: true }).waitFor();
    await shot(page, 'trial-dark');
    await page.evaluate(() => localStorage.removeItem('posterior.theme'));
    await page.reload(); // back to the default theme, so later screenshots are not dark by accident
    await page.getByRole('heading', { name: 'loss', exact: true }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { name: 'branin e2e', exact: true }).waitFor();
    await page.close();
  });

  it('downloads a trial checkpoint from the trial page: the bytes the worker uploaded', async () => {
    const page = await openStudy();
    // trial 0 is the one enqueued with x=1.5, y=2.5; the objective saves its checkpoint before it ends
    const expected = checkpointOf(0, { x: 1.5, y: 2.5 });
    await page.getByRole('link', { name: 'Open trial 0' }).click();
    await page.getByRole('heading', { name: 'Trial #0', exact: true }).waitFor();
    const button = page.getByRole('button', { name: `Download ${expected.fileName}` });
    await button.waitFor({ timeout: 30_000 });
    await shot(page, 'trial-checkpoint');
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    assert.equal(download.suggestedFilename(), expected.fileName);
    const bytes = readFileSync(await download.path());
    assert.ok(bytes.length > 0);
    assert.deepEqual(new Uint8Array(bytes), expected.data);
    await page.goBack();
    await page.getByRole('heading', { name: 'branin e2e', exact: true }).waitFor();
    await page.close();
  });

  it('downloads the report', async () => {
    const page = await openStudy();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download report' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'bayes_opt.txt');
    const text = readFileSync(await download.path(), 'utf8');
    assert.match(text, /branin e2e/);
    assert.match(text, /\bx\b/);
    await page.close();
  });

  it('exports the convergence plot as a PNG, and the log scale redraws it', async () => {
    const page = await openStudy();
    const exportPng = async () => {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export Convergence as PNG' }).click(),
      ]);
      assert.equal(download.suggestedFilename(), 'convergence.png');
      const bytes = readFileSync(await download.path());
      assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
      return bytes;
    };
    await page.locator('#convergence [data-ready="true"]').waitFor();
    const linear = await exportPng();
    const log = page.getByRole('checkbox', { name: 'Log scale' });
    await log.check();
    await waitFor(() => new URL(page.url()).searchParams.get('log') === '1', {
      timeoutMs: 10_000,
      what: 'the log scale in the URL',
    });
    // Let the chart's transition settle before exporting what it now draws.
    await page.waitForTimeout(1000);
    const logged = await exportPng();
    assert.notDeepEqual(logged, linear, 'the log-scale plot is drawn differently');
    await log.uncheck();
    await waitFor(() => new URL(page.url()).searchParams.get('log') === null, {
      timeoutMs: 10_000,
      what: 'the log scale off again',
    });
    await page.close();
  });

  it("shows the GP's view: surrogate, predicted versus actual, and a suggestion's prediction", async () => {
    const page = await openStudy();
    // the insight charts mount when scrolled into view: pass down the page, staying at the bottom
    await page.evaluate(async () => {
      for (let y = 0; y < document.body.scrollHeight; y += 500) {
        window.scrollTo(0, y);
        await new Promise((r) => setTimeout(r, 60));
      }
      window.scrollTo(0, document.body.scrollHeight);
    });
    // the GP takes over after 3 complete trials; its trials' predictions land here once they complete
    await page
      .getByRole('img', { name: /^Predicted versus actual loss for [1-9]\d* trials/ })
      .waitFor({ timeout: 120_000 });
    await page
      .getByRole('img', { name: /^GP surrogate along x: mean, uncertainty band, acquisition/ })
      .waitFor({ timeout: 60_000 });
    await page.getByLabel('Surrogate parameter').selectOption('y');
    await page.getByRole('img', { name: /^GP surrogate along y/ }).waitFor({ timeout: 60_000 });
    assert.equal(new URL(page.url()).searchParams.get('gp'), 'y');
    await shot(page, 'study-gp');
    // a GP-suggested trial's page shows what the model predicted and the acquisition value
    const done = await owner.client.allTrials(studyId, 'COMPLETE');
    const suggested = done.find((t) => t.suggestion?.mean != null && t.suggestion?.acquisition != null);
    assert.ok(suggested, 'a completed GP-suggested trial');
    const trialPage = await ctx.newPage();
    await trialPage.goto(`${env.stack.web.url}/trials/${suggested.id}`);
    const card = trialPage.getByRole('region', { name: 'Suggestion' });
    await card.getByText('Predicted loss').waitFor();
    const values = await card.locator('dd').allTextContents();
    // sampler, predicted ± band, actual, acquisition: numbers, not the placeholder dash
    assert.equal(values.length, 4, values.join(' | '));
    assert.match(values[1] ?? '', /^-?\d[\d.,e+-]* ± \d/);
    assert.match(values[3] ?? '', /\d/);
    await trialPage.close();
    await page.close();
  });

  it("a running trial's page shows its checkpoint and final state when the trial ends, without a reload", async () => {
    const page = await ctx.newPage();
    const study = await createBranin(owner.client, owner.teamId, { name: 'one slow trial', maxTrials: 1 });
    const trial = await owner.client.enqueueTrial(study.id, { x: 2, y: 3 });
    // 12 steps of 0.8 s: the page is open well before the trial ends.
    const slow = await startObjectiveWorker({
      stack: env.stack,
      token: owner.token,
      studyId: study.id,
      name: 'e2e-slow-worker',
      env: { E2E_STEPS: '12', E2E_STEP_MS: '800' },
    });
    try {
      await waitFor(async () => (await owner.client.trial(trial.id))?.state === 'RUNNING', {
        timeoutMs: 60_000,
        what: 'the slow trial to start',
      });
      await page.goto(`${env.stack.web.url}/trials/${trial.id}`);
      await page.getByRole('heading', { name: 'Trial #0', exact: true }).waitFor();
      await page.evaluate(() => {
        window.__sameDocument = true;
      });
      const expected = checkpointOf(0, { x: 2, y: 3 });
      const button = page.getByRole('button', { name: `Download ${expected.fileName}` });
      assert.equal(
        (await owner.client.trial(trial.id))?.state,
        'RUNNING',
        'the page was read while the trial ran',
      );
      assert.equal(await button.count(), 0, 'no checkpoint while it runs');
      await button.waitFor({ timeout: 60_000 });
      assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was not reloaded');
    } finally {
      await slow.stop(5000);
      await page.close();
    }
  });
});

if (why) console.log(`# skipped: ${why}`);
