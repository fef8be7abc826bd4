// The study page's workers (issue 15, item 10), in Debian chromium against a real API: a RUNNING study
// nobody works on shows a banner with the exact `posterior worker` command; a worker that claims a
// trial through the SDK appears in the Workers panel as live, with its trial on the timeline, and the
// banner goes away. SHOTS_DIR=dir also saves 1440x900 screenshots, light and dark.
// Run: npm run build && node --test tests/e2e/workers.test.mjs
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createNodeClient } from '@posterior/sdk/node';
import { cliBin } from '../scale/lib/procs.mjs';
import { launch } from './browser.mjs';
import { cliWorkerAvailable, stackUnavailable, startStack, waitFor } from './stack.mjs';

const PASSWORD = 'correct horse battery staple';
const why = stackUnavailable();
if (why && process.env.CI) throw new Error(`dashboard end to end cannot run in CI: ${why}`);

const SPACE = [
  { name: 'lr', type: 'float', low: 1e-4, high: 1e-1, log: true },
  { name: 'layers', type: 'int', low: 1, high: 6 },
];
const objective = new URL('./fixtures/objective.mjs', import.meta.url).pathname;

describe('dashboard workers panel', { skip: why ?? false, timeout: 300_000 }, () => {
  let stack;
  let browser;
  let owner;
  let teamId;
  let ownerToken;
  const email = `workers-${Date.now()}@example.com`;

  before(async () => {
    stack = await startStack();
    browser = await launch();
    const anon = createNodeClient({ url: stack.api.url });
    const { token } = await anon.signUp(email, PASSWORD, 'Worker Owner');
    await anon.close();
    ownerToken = token;
    owner = createNodeClient({ url: stack.api.url, token });
    teamId = (await owner.createTeam('Worker Lab')).id;
  });
  after(async () => {
    await owner?.close();
    await browser?.close();
    await stack?.stop();
  });

  const newStudy = async (name, searchSpace = SPACE) =>
    (
      await owner.createStudy({
        teamId,
        name,
        direction: 'MINIMIZE',
        objective: 'loss',
        searchSpace,
        sampler: { type: 'random', seed: 3 },
        maxTrials: 40,
        parallelism: 4,
        heartbeatTimeoutS: 60,
      })
    ).id;

  async function signedIn(colorScheme = 'light') {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme });
    await ctx.addInitScript((t) => localStorage.setItem('posterior.theme', t), colorScheme);
    const res = await ctx.request.post(`${stack.web.url}/graphql`, {
      data: {
        query:
          'mutation($e: String!, $p: String!) { logIn(email: $e, password: $p, cookie: true) { expiresAt } }',
        variables: { e: email, p: PASSWORD },
      },
    });
    assert.equal(res.status(), 200, await res.text());
    return ctx;
  }

  async function shoot(page, name, locator) {
    if (!process.env.SHOTS_DIR) return;
    if (locator)
      await locator.evaluate((el) =>
        window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 80),
      );
    else await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(process.env.SHOTS_DIR, `${name}.png`) });
  }

  it('a running study with no worker shows the banner with the exact worker command', async () => {
    const studyId = await newStudy('no worker yet');
    for (const theme of ['light', 'dark']) {
      const ctx = await signedIn(theme);
      const page = await ctx.newPage();
      await page.goto(`${stack.web.url}/studies/${studyId}`);
      const banner = page.getByTestId('no-worker-banner');
      await banner.waitFor({ timeout: 60_000 });
      assert.match(await banner.textContent(), /No worker is running this study/);
      assert.equal(
        await page.getByTestId('worker-command').textContent(),
        `npx posterior worker --api ${stack.web.url} --study ${studyId} --token "$POSTERIOR_TOKEN"`,
      );
      await shoot(page, `no-worker-${theme}`);
      await ctx.close();
    }
  });

  it('a worker that claims a trial through the SDK is live in the panel, with its trial on the timeline', async () => {
    const studyId = await newStudy('with workers');
    // an earlier worker with finished trials, then the one that is running now
    const earlier = await owner.askTrials(studyId, 3, 'gpu-box-1');
    await owner.tellTrial(earlier[0].id, { state: 'COMPLETE', value: 0.42 });
    await owner.tellTrial(earlier[1].id, { state: 'PRUNED' });
    await owner.tellTrial(earlier[2].id, { state: 'FAILED', error: 'CUDA out of memory' });
    const [running] = await owner.askTrials(studyId, 1, 'e2e-worker-7');
    await owner.heartbeat(running.id);

    for (const theme of ['light', 'dark']) {
      const ctx = await signedIn(theme);
      const page = await ctx.newPage();
      await page.goto(`${stack.web.url}/studies/${studyId}`);
      const row = page.locator('[data-testid="worker-row"][data-worker="e2e-worker-7"]');
      await row.waitFor({ timeout: 60_000 });
      assert.match(await row.textContent(), /live/);
      assert.match(await row.textContent(), new RegExp(`#${running.number}`));
      assert.equal(await page.getByTestId('no-worker-banner').count(), 0);
      const bars = await page.locator('[data-testid="worker-timeline"] [data-bar]').count();
      assert.equal(bars, 4, 'one bar per claimed trial');
      await shoot(page, `workers-panel-${theme}`, page.getByTestId('workers-panel'));
      await ctx.close();
    }

    // the worker finishes its trial: the study keeps a live worker (it just finished) and no banner
    await owner.tellTrial(running.id, { state: 'COMPLETE', value: 0.3 });
    const ctx = await signedIn();
    const page = await ctx.newPage();
    await page.goto(`${stack.web.url}/studies/${studyId}`);
    const row = page.locator('[data-testid="worker-row"][data-worker="e2e-worker-7"]');
    await row.waitFor({ timeout: 60_000 });
    assert.match(await row.textContent(), /idle/);
    assert.equal(await page.getByTestId('no-worker-banner').count(), 0);
    await ctx.close();
  });

  it('the copied command starts a worker (through the dashboard origin) that the panel shows live', {
    skip: cliWorkerAvailable() ? false : '`posterior worker` is not built',
  }, async () => {
    const studyId = await newStudy('copied command', [
      { name: 'x', type: 'float', low: -5, high: 10 },
      { name: 'y', type: 'float', low: 0, high: 15 },
    ]);
    const ctx = await signedIn();
    const page = await ctx.newPage();
    await page.goto(`${stack.web.url}/studies/${studyId}`);
    const command = await page.getByTestId('worker-command').textContent({ timeout: 60_000 });
    // as a shell would run it: the token from the environment, plus the objective the banner mentions
    const args = command
      .replace(/^npx posterior /, '')
      .split(' ')
      .map((a) => (a === '"$POSTERIOR_TOKEN"' ? ownerToken : a));
    const output = [];
    const worker = spawn(
      process.execPath,
      [cliBin, ...args, '--objective', objective, '--worker-id', 'copied-command', '--max-trials', '1'],
      {
        env: { ...process.env, POSTERIOR_TOKEN: ownerToken, E2E_STEPS: '40', E2E_STEP_MS: '250' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    for (const s of [worker.stdout, worker.stderr]) s.on('data', (d) => output.push(String(d)));
    const exited = new Promise((resolve) => worker.on('exit', resolve));
    try {
      const row = page.locator('[data-testid="worker-row"][data-worker="copied-command"]');
      await row.waitFor({ timeout: 60_000 }).catch((e) => {
        throw new Error(`${e.message}\nworker output:\n${output.join('')}`);
      });
      assert.match(await row.textContent(), /live/);
      await waitFor(async () => (await page.getByTestId('no-worker-banner').count()) === 0, {
        timeoutMs: 10_000,
        what: 'the banner to go once a worker is live',
      });
      assert.equal(await exited, 0, output.join(''));
    } finally {
      if (worker.exitCode === null) worker.kill('SIGTERM');
      await ctx.close();
    }
  });
});
