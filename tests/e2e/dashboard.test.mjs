// End to end in Debian chromium against a real API and PostgreSQL: sign up, create a team and a study
// in the UI, create an API token, start a worker from the test, watch trials and a learning curve
// appear live without reload, open a trial and download its checkpoint, download the report, create a
// study by importing a YAML file, check that a second user outside the team sees nothing, and archive
// a study. Screenshots of each main page go to tests/e2e/screenshots/.
// Run: npm run build && node --test tests/e2e/
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNodeClient } from '@posterior/sdk/node';
import { parse as parseYaml } from 'yaml';
import { launch } from './browser.mjs';
import { checkpointOf } from './fixtures/objective.mjs';
import { testsUnless } from './skippable.mjs';
import {
  cliWorkerAvailable,
  stackUnavailable,
  startSdkWorker,
  startStack,
  startWorker,
  waitFor,
} from './stack.mjs';

const here = new URL('.', import.meta.url).pathname;
const shots = join(here, 'screenshots');
mkdirSync(shots, { recursive: true });
const objective = join(here, 'fixtures', 'objective.mjs');
const PASSWORD = 'correct horse battery staple';
const why = stackUnavailable();
// Outside CI a missing browser or build is a skip with its reason; in CI it is a failure, never a pass.
if (why && process.env.CI) throw new Error(`dashboard end to end cannot run in CI: ${why}`);
const { after, before, describe, it } = testsUnless(why && `browser tests: ${why}`);

describe('dashboard end to end', { timeout: 300_000 }, () => {
  let stack;
  let browser;
  let worker;
  const state = {};

  /** Content-Security-Policy violations on any page of any context (the app must work under its CSP). */
  const cspViolations = [];

  before(async () => {
    stack = await startStack();
    browser = await launch();
    const newContext = browser.newContext.bind(browser);
    browser.newContext = async (...args) => {
      const ctx = await newContext(...args);
      ctx.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) cspViolations.push(`${m.page()?.url()}: ${m.text()}`);
      });
      return ctx;
    };
  });
  after(async () => {
    await worker?.stop(5000);
    await browser?.close();
    await stack?.stop();
  });

  const shot = async (page, name) => {
    // charts below the fold mount when scrolled into view: pass over the page first
    await page.evaluate(async () => {
      for (let y = 0; y < document.body.scrollHeight; y += 500) {
        window.scrollTo(0, y);
        await new Promise((r) => setTimeout(r, 60));
      }
      window.scrollTo(0, 0);
    });
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  };

  it('signs up, creates a team and a study in the UI', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    state.ctx = ctx;
    const page = await ctx.newPage();
    state.page = page;
    const base = stack.web.url;
    await page.goto(`${base}/signup`);
    await shot(page, 'signup');
    await page.getByLabel('Name').fill('Ada Owner');
    state.email = `owner-${Date.now()}@example.com`;
    await page.getByLabel('Email').fill(state.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Create a team', exact: true }).waitFor();
    await page.getByLabel('Team name').fill('Vision Lab');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.getByRole('heading', { name: 'Studies', exact: true }).waitFor();
    await page.getByRole('heading', { name: 'No studies yet', exact: true }).waitFor();
    state.teamUrl = page.url();
    assert.match(state.teamUrl, /\/teams\/[^/]+\/studies$/);
    await shot(page, 'studies-empty');

    await page.getByRole('link', { name: 'New study' }).first().click();
    await page.getByRole('heading', { name: 'New study', exact: true }).waitFor();
    await page.getByLabel('Study name').fill('branin e2e');
    await page.getByLabel('Objective metric').fill('loss');
    // the form starts with one float parameter "lr": make it x in [-5, 10], then add y
    const p0 = page.getByRole('group', { name: 'Parameter 1' });
    await p0.getByLabel('Name').fill('x');
    await p0.getByLabel('Low').fill('-5');
    await p0.getByLabel('High').fill('10');
    await page.getByRole('button', { name: '+ float' }).click();
    const p1 = page.getByRole('group', { name: 'Parameter 2' });
    await p1.getByLabel('Name').fill('y');
    await p1.getByLabel('Low').fill('0');
    await p1.getByLabel('High').fill('15');
    // a client-side validation error shows beside its field
    await page.getByLabel('Budget (trials)').fill('0');
    await page.getByRole('button', { name: 'Create study' }).click();
    await page.getByText('Budget must be a whole number ≥ 1.').waitFor();
    await page.getByLabel('Budget (trials)').fill('20');
    await page.getByLabel('Parallelism').fill('2');
    await page.getByLabel('Sampler', { exact: true }).selectOption('gp');
    await page.getByLabel('Seed').fill('3');
    // the options the hint gives as an example must be ones the API accepts: use its option names,
    // with a short space-filling start so the GP suggests trials while the test watches
    const hint = (await page.locator('#samplerOptions-hint').textContent()) ?? '';
    const example = JSON.parse(hint.slice(hint.indexOf('{')));
    const options = Object.fromEntries(Object.keys(example).map((k) => [k, 3]));
    await page.getByLabel('Sampler options (JSON)').fill(JSON.stringify(options));
    // an error only the API knows about (its limit on retries) shows beside the field too
    await page.getByLabel('Retries of failed trials').fill('1000');
    await page.getByRole('button', { name: 'Create study' }).click();
    await page.locator('#retryFailed-error').waitFor();
    assert.equal(await page.getByLabel('Retries of failed trials').getAttribute('aria-invalid'), 'true');
    await shot(page, 'new-study-api-error');
    await page.getByLabel('Retries of failed trials').fill('0');
    await shot(page, 'new-study');
    await page.getByRole('button', { name: 'Create study' }).click();
    await page.waitForURL(/\/studies\/[^/]+$/);
    await page.getByRole('heading', { name: 'branin e2e', exact: true }).waitFor();
    state.studyUrl = page.url();
    state.studyId = state.studyUrl.split('/').pop();
    await page.getByRole('heading', { name: 'No trials yet', exact: true }).waitFor();
  });

  it('enqueues a trial with chosen params', async () => {
    const page = state.page;
    await page.getByRole('button', { name: 'Enqueue trial' }).click();
    const dialog = page.getByRole('dialog', { name: 'Enqueue a trial' });
    await dialog.getByLabel('x').fill('1.5');
    await dialog.getByLabel('y').fill('2.5');
    await dialog.getByRole('button', { name: 'Enqueue' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = page.getByRole('table', { name: 'Trials' }).getByRole('row').filter({ hasText: '1.5' });
    await row.getByText('waiting').waitFor();
  });

  it('creates an API token that is shown once', async () => {
    const page = await state.ctx.newPage();
    await page.goto(state.teamUrl.replace(/studies$/, 'settings'));
    await page.getByRole('heading', { name: 'API tokens', exact: true }).waitFor();
    await page.getByLabel('Token name').fill('e2e-worker');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.getByTestId('new-token').textContent())?.trim();
    assert.ok(token && token.length > 10, 'the secret is shown');
    state.token = token;
    await shot(page, 'team-settings');
    await page.reload();
    const tokens = page.getByRole('table', { name: 'API tokens' });
    await tokens.getByText('e2e-worker').waitFor();
    assert.equal(await page.getByTestId('new-token').count(), 0, 'the secret is not shown again');
    // a second token, revoked: it stays listed as revoked, the worker's token is untouched
    await page.getByLabel('Token name').fill('spare');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByTestId('new-token').waitFor();
    page.once('dialog', (d) => d.accept());
    await page.getByRole('button', { name: 'Revoke spare' }).click();
    await tokens.getByRole('row').filter({ hasText: 'spare' }).getByText('revoked').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Revoke e2e-worker' }).count(), 1);
    await page.close();
  });

  it('shows trials and learning curves live while a worker runs, without reloading', async () => {
    const page = state.page;
    await page.evaluate(() => {
      window.__sameDocument = true;
    });
    if (cliWorkerAvailable()) {
      worker = startWorker({
        name: 'e2e-worker',
        apiUrl: stack.api.url,
        token: state.token,
        studyId: state.studyId,
        objective,
        env: { E2E_STEPS: '12', E2E_STEP_MS: '250' },
      });
    } else {
      console.log('# `posterior worker` is not built yet: driving trials with the SDK worker loop');
      worker = await startSdkWorker({
        apiUrl: stack.api.url,
        token: state.token,
        studyId: state.studyId,
        objective,
      });
    }
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
    await shot(page, 'study');
  });

  it('filters the trials table through the URL', async () => {
    const page = state.page;
    const table = page.getByRole('table', { name: 'Trials' });
    await page.getByRole('search', { name: 'Filter trials' }).getByLabel('complete').check();
    await waitFor(async () => new URL(page.url()).searchParams.get('tstate') === 'COMPLETE', {
      what: 'tstate in the URL',
    });
    const states = await table.locator('tbody .badge').allTextContents();
    assert.ok(states.length > 0 && states.every((s) => s === 'complete' || s === 'best'), states.join(','));
    await page.getByRole('search', { name: 'Filter trials' }).getByLabel('complete').uncheck();
    await waitFor(async () => !new URL(page.url()).searchParams.has('tstate'), { what: 'tstate removed' });
  });

  it('pauses and resumes the study', async () => {
    const page = state.page;
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByText('This study is paused').waitFor();
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
  });

  it('opens a trial and shows its params and metric curves', async () => {
    const page = state.page;
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
  });

  it('downloads a trial checkpoint from the trial page: the bytes the worker uploaded', async () => {
    const page = state.page;
    // trial 0 is the one enqueued with x=1.5, y=2.5; the objective saves its checkpoint before it ends
    const expected = checkpointOf(0, { x: 1.5, y: 2.5 });
    await page.getByRole('link', { name: 'Open trial 0' }).click();
    await page.getByRole('heading', { name: 'Trial #0', exact: true }).waitFor();
    const button = page.getByRole('button', { name: `Download ${expected.fileName}` });
    await waitFor(
      async () => {
        if (await button.count()) return true;
        await page.reload();
        await page.getByRole('heading', { name: 'Checkpoints and artifacts' }).waitFor();
        return (await button.count()) > 0;
      },
      { timeoutMs: 90_000, intervalMs: 1000, what: 'the checkpoint of trial 0' },
    );
    await shot(page, 'trial-checkpoint');
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    assert.equal(download.suggestedFilename(), expected.fileName);
    const bytes = readFileSync(await download.path());
    assert.ok(bytes.length > 0);
    assert.deepEqual(new Uint8Array(bytes), expected.data);
    await page.goBack();
    await page.getByRole('heading', { name: 'branin e2e', exact: true }).waitFor();
  });

  it("a running trial's page shows its checkpoint and final state when the trial ends, without a reload", async () => {
    const page = await state.ctx.newPage();
    const client = createNodeClient({ url: stack.api.url, token: state.token });
    const teamId = new URL(state.teamUrl).pathname.split('/')[2];
    const study = await client.createStudy({
      teamId,
      name: 'one slow trial',
      direction: 'MINIMIZE',
      objective: 'loss',
      searchSpace: [
        { name: 'x', type: 'float', low: -5, high: 10 },
        { name: 'y', type: 'float', low: 0, high: 15 },
      ],
      sampler: { type: 'random', seed: 1 },
      maxTrials: 1,
      parallelism: 1,
    });
    const trial = await client.enqueueTrial(study.id, { x: 2, y: 3 });
    // 12 steps of 0.8 s: the page is open well before the trial ends.
    const slow = startWorker({
      name: 'e2e-slow-worker',
      apiUrl: stack.api.url,
      token: state.token,
      studyId: study.id,
      objective,
      env: { E2E_STEPS: '12', E2E_STEP_MS: '800' },
    });
    try {
      await waitFor(async () => (await client.trial(trial.id))?.state === 'RUNNING', {
        timeoutMs: 60_000,
        what: 'the slow trial to start',
      });
      await page.goto(new URL(`/trials/${trial.id}`, state.teamUrl).href);
      await page.getByRole('heading', { name: 'Trial #0', exact: true }).waitFor();
      await page.evaluate(() => {
        window.__sameDocument = true;
      });
      const expected = checkpointOf(0, { x: 2, y: 3 });
      const button = page.getByRole('button', { name: `Download ${expected.fileName}` });
      assert.equal((await client.trial(trial.id))?.state, 'RUNNING', 'the page was read while the trial ran');
      assert.equal(await button.count(), 0, 'no checkpoint while it runs');
      await button.waitFor({ timeout: 60_000 });
      assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was not reloaded');
    } finally {
      await slow.stop(5000);
      await client.close();
      await page.close();
    }
  });

  it('downloads the report', async () => {
    const page = state.page;
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download report' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'bayes_opt.txt');
    const path = await download.path();
    const text = readFileSync(path, 'utf8');
    assert.match(text, /branin e2e/);
    assert.match(text, /\bx\b/);
  });

  it('exports the convergence plot as a PNG, and the log scale redraws it', async () => {
    const page = state.page;
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
  });

  it("shows the GP's view: surrogate, predicted versus actual, and a suggestion's prediction", async () => {
    const page = state.page;
    await page.getByRole('link', { name: 'Open trial 0' }).waitFor();
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
      .waitFor({
        timeout: 60_000,
      });
    await page.getByLabel('Surrogate parameter').selectOption('y');
    await page.getByRole('img', { name: /^GP surrogate along y/ }).waitFor({ timeout: 60_000 });
    assert.equal(new URL(page.url()).searchParams.get('gp'), 'y');
    await shot(page, 'study-gp');
    // a GP-suggested trial's page shows what the model predicted and the acquisition value
    const client = createNodeClient({ url: stack.api.url, token: state.token });
    const done = await client.allTrials(state.studyId, 'COMPLETE');
    await client.close();
    const suggested = done.find((t) => t.suggestion?.mean != null && t.suggestion?.acquisition != null);
    assert.ok(suggested, 'a completed GP-suggested trial');
    const trialPage = await state.ctx.newPage();
    await trialPage.goto(`${stack.web.url}/trials/${suggested.id}`);
    const card = trialPage.getByRole('region', { name: 'Suggestion' });
    await card.getByText('Predicted loss').waitFor();
    const values = await card.locator('dd').allTextContents();
    // sampler, predicted ± band, actual, acquisition: numbers, not the placeholder dash
    assert.equal(values.length, 4, values.join(' | '));
    assert.match(values[1] ?? '', /^-?\d[\d.,e+-]* ± \d/);
    assert.match(values[3] ?? '', /\d/);
    await trialPage.close();
  });

  it('lists the study with its progress and history', async () => {
    const page = await state.ctx.newPage();
    await page.goto(state.teamUrl);
    const table = page.getByRole('table', { name: 'Studies' });
    await table.getByRole('link', { name: 'branin e2e' }).waitFor();
    await table.getByRole('progressbar', { name: 'branin e2e progress' }).waitFor();
    await table.getByRole('img', { name: /Best value history/ }).waitFor();
    // filters live in the URL
    await page.getByLabel('State').selectOption('ARCHIVED');
    await page.getByRole('heading', { name: 'No study matches these filters' }).waitFor();
    assert.equal(new URL(page.url()).searchParams.get('state'), 'ARCHIVED');
    await page.getByLabel('State').selectOption('');
    await table.getByRole('link', { name: 'branin e2e' }).waitFor();
    await shot(page, 'studies');
    await page.close();
  });

  it('opens a bookmarked studies link whose cursor the API no longer accepts at the first page', async () => {
    const page = await state.ctx.newPage();
    // an offset cursor of an older format ("offset:25", base64): the API answers BAD_USER_INPUT on `after`
    await page.goto(`${state.teamUrl}?after=b2Zmc2V0OjI1&prev=_`);
    const table = page.getByRole('table', { name: 'Studies' });
    await table.getByRole('link', { name: 'branin e2e' }).waitFor();
    await waitFor(async () => !new URL(page.url()).searchParams.has('after'), { what: 'after dropped' });
    assert.equal(new URL(page.url()).searchParams.has('prev'), false);
    assert.equal(await page.getByRole('heading', { name: 'Check the input' }).count(), 0, 'no error shown');
    await page.close();
  });

  it('creates a study by importing a YAML study file on the create page', async () => {
    const page = await state.ctx.newPage();
    const file = readFileSync(join(here, 'fixtures', 'study.yaml'));
    await page.goto(`${state.teamUrl}/new`);
    await page.getByRole('heading', { name: 'New study', exact: true }).waitFor();
    await page
      .getByLabel('Import a study file')
      .setInputFiles({ name: 'study.yaml', mimeType: 'text/yaml', buffer: file });
    await page.getByText('Imported study.yaml').waitFor();
    assert.equal(await page.getByLabel('Study name').inputValue(), 'yaml import e2e');
    await shot(page, 'new-study-imported');
    await page.getByRole('button', { name: 'Create study' }).click();
    await page.waitForURL(/\/studies\/[^/]+$/);
    await page.getByRole('heading', { name: 'yaml import e2e', exact: true }).waitFor();
    const id = page.url().split('/').pop();
    // what the API stored is the file's search space, entry for entry
    const client = createNodeClient({ url: stack.api.url, token: state.token });
    const created = await client.study(id);
    await client.close();
    const doc = parseYaml(file.toString('utf8'));
    assert.equal(created?.direction, 'MAXIMIZE');
    assert.equal(created?.objective, 'acc');
    assert.equal(created?.maxTrials, 12);
    assert.deepEqual(created?.searchSpace, doc.searchSpace);
    await page.close();
  });

  it('shows nothing of the study to a user outside the team', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await ctx.newPage();
    const base = stack.web.url;
    await page.goto(`${base}/signup`);
    state.outsider = `outsider-${Date.now()}@example.com`;
    await page.getByLabel('Email').fill(state.outsider);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Create a team', exact: true }).waitFor();
    await page.goto(state.studyUrl);
    await page.getByRole('heading', { name: 'Not found', exact: true }).waitFor();
    assert.equal(await page.getByText('branin e2e').count(), 0);
    await shot(page, 'outsider-study');
    await page.goto(`${base}${new URL(state.teamUrl).pathname}`);
    await page.getByRole('heading', { name: /Not found|Not allowed/ }).waitFor();
    assert.equal(await page.getByText('branin e2e').count(), 0);
    state.outsiderCtx = ctx;
    state.outsiderPage = page;
  });

  it('archives a study: it leaves the default list and shows under archived', async () => {
    const page = state.page;
    await page.goto(state.studyUrl);
    await page.getByRole('heading', { name: 'branin e2e', exact: true }).waitFor();
    page.once('dialog', (d) => d.accept());
    await page.getByRole('button', { name: 'Archive' }).click();
    await page.locator('.page-head').getByText('archived', { exact: true }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Archive' }).count(), 0);
    const list = await state.ctx.newPage();
    await list.goto(state.teamUrl);
    const table = list.getByRole('table', { name: 'Studies' });
    await table.getByRole('link', { name: 'yaml import e2e' }).waitFor();
    assert.equal(await table.getByRole('link', { name: 'branin e2e' }).count(), 0, 'not in the default list');
    await list.getByLabel('State').selectOption('ARCHIVED');
    await waitFor(async () => new URL(list.url()).searchParams.get('state') === 'ARCHIVED', {
      what: 'state in the URL',
    });
    const row = table.getByRole('row').filter({ has: list.getByRole('link', { name: 'branin e2e' }) });
    await row.getByText('archived', { exact: true }).waitFor();
    assert.equal(await table.getByRole('link', { name: 'yaml import e2e' }).count(), 0);
    await shot(list, 'studies-archived');
    await list.close();
  });

  it('invites a member, who joins only on accepting; an admin changes their role', async () => {
    const page = await state.ctx.newPage();
    const settingsUrl = state.teamUrl.replace(/studies$/, 'settings');
    await page.goto(settingsUrl);
    await page.getByRole('heading', { name: 'Members', exact: true }).waitFor();
    const form = page.getByRole('form', { name: 'Invite a member' });
    await form.getByLabel('Email').fill(state.outsider);
    await form.getByLabel('Role').selectOption('VIEWER');
    await form.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText(`Invitation sent to ${state.outsider} as viewer.`).waitFor();
    const pending = page.getByRole('table', { name: 'Pending invitations' });
    await pending.getByRole('row').filter({ hasText: state.outsider }).getByText('VIEWER').waitFor();
    const members = page.getByRole('table', { name: 'Members' });
    assert.equal(await members.getByText(state.outsider).count(), 0, 'not a member before accepting');
    await shot(page, 'team-settings-invited');

    // The invitee: the header shows the invitation; the page lists it; accepting opens the team.
    const invitee = state.outsiderPage;
    await invitee.goto(`${stack.web.url}/`);
    await invitee.waitForURL(/\/invitations$/);
    await invitee.getByRole('link', { name: /Invitations/ }).waitFor();
    const row = invitee
      .getByRole('table', { name: 'My invitations' })
      .getByRole('row')
      .filter({ hasText: 'Vision Lab' });
    await row.getByText('VIEWER').waitFor();
    await row.getByText('Ada Owner').waitFor();
    await shot(invitee, 'invitations');
    await row.getByRole('button', { name: 'Accept the invitation to Vision Lab' }).click();
    await invitee.waitForURL(state.teamUrl);
    await invitee
      .getByRole('table', { name: 'Studies' })
      .getByRole('link', { name: 'yaml import e2e' })
      .waitFor();
    assert.equal(await invitee.getByRole('link', { name: /Invitations/ }).count(), 0, 'no invitation left');
    await state.outsiderCtx.close();

    await page.reload();
    const row2 = members.getByRole('row').filter({ hasText: state.outsider });
    await row2.getByLabel(`Role of ${state.outsider}`).waitFor();
    assert.equal(await row2.getByLabel(`Role of ${state.outsider}`).inputValue(), 'VIEWER');
    assert.equal(await page.getByRole('table', { name: 'Pending invitations' }).count(), 0);
    await row2.getByLabel(`Role of ${state.outsider}`).selectOption('MEMBER');
    await page.getByText(`${state.outsider} is now member.`).waitFor();
    // A second invitation, withdrawn: it leaves the list.
    await form.getByLabel('Email').fill('someone-else@example.com');
    await form.getByRole('button', { name: 'Send invitation' }).click();
    const other = page.getByRole('table', { name: 'Pending invitations' }).getByRole('row').filter({
      hasText: 'someone-else@example.com',
    });
    await other.waitFor();
    await shot(page, 'team-settings');
    page.once('dialog', (d) => d.accept());
    await other.getByRole('button', { name: 'Withdraw the invitation to someone-else@example.com' }).click();
    await page.getByText('The invitation to someone-else@example.com was withdrawn.').waitFor();
    await page.getByRole('table', { name: 'Pending invitations' }).waitFor({ state: 'detached' });
    await page.close();
  });

  it('switches teams, logs out, and logs back in where it left off', async () => {
    const page = state.page;
    await page.goto(state.teamUrl);
    await page.getByLabel('Team', { exact: true }).selectOption('__new');
    await page.getByRole('heading', { name: 'Create a team', exact: true }).waitFor();
    await page.getByLabel('Team name').fill('Second Lab');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.getByRole('heading', { name: 'No studies yet', exact: true }).waitFor();
    assert.notEqual(page.url(), state.teamUrl);
    await page.getByLabel('Team', { exact: true }).selectOption({ label: 'Vision Lab' });
    await page.waitForURL(state.teamUrl);
    await page
      .getByRole('table', { name: 'Studies' })
      .getByRole('link', { name: 'yaml import e2e' })
      .waitFor();

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login/);
    await page.goto(state.teamUrl);
    await page.waitForURL(/\/login\?next=/);
    await shot(page, 'login');
    assert.equal(await page.getByText('yaml import e2e').count(), 0, 'nothing shown signed out');
    await page.getByLabel('Email').fill(state.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(state.teamUrl);
    await page
      .getByRole('table', { name: 'Studies' })
      .getByRole('link', { name: 'yaml import e2e' })
      .waitFor();
  });

  it('no page broke its Content-Security-Policy (charts, exports, live updates, inline scripts)', () => {
    assert.deepEqual(cspViolations, []);
  });
});

if (why) console.log(`# skipped: ${why}`);
