// Tracking on the dashboard (issue 15 item 8; issue 16 item 2a), in Debian chromium against a real API:
// trial attributes set by a worker's objective and edited on the trial page, filtered with
// `attr.x` in the trials query, offered in the column chooser and sortable; a failed trial's worker
// log tail (from the real runner, which tees the objective's output); the step and reason the
// median pruner gave, on the trial page and in the table; what a trial ran on; the study
// description editor; the model's recommended trial beside the best observed one. Each page in both
// themes, at 1440 px and at 390 px with no horizontal overflow. SHOTS_DIR=dir saves the screenshots.
// Run: npm run build && node --test tests/e2e/dashboard-track.test.mjs
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createWorkerClient, runWorker } from '@posterior/runner';
import { createBranin, dashboardSuite, newOwner, themedPage, waitFor } from './dashboard-fixture.mjs';

const { describe, it, env } = dashboardSuite();

const SIZES = [
  { name: 'wide', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];

/** A page at `size` in `theme`, signed in as `email`. */
const open = (email, url, theme = 'light', size = SIZES[0]) =>
  themedPage(env, email, url, { theme, viewport: { width: size.width, height: size.height } });

/** The page is no wider than the viewport (nothing scrolls sideways at 390 px). */
async function noOverflow(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${what}: the page overflows by ${overflow} px`);
}

async function shoot(page, name, locator) {
  if (!process.env.SHOTS_DIR) return;
  if (locator)
    await locator.evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 80));
  else await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(250);
  await page.screenshot({ path: join(process.env.SHOTS_DIR, `${name}.png`) });
}

/** Runs the real worker loop (the runner package) on the study until `maxTrials` trials ran. */
async function runObjective(stack, token, studyId, objective, maxTrials) {
  const api = createWorkerClient(stack.api.url, token, () => {});
  try {
    return await runWorker({
      api,
      studyId,
      objective,
      workerId: 'track-worker',
      maxTrials,
      pollMs: 50,
      progress: false,
    });
  } finally {
    await api.close?.();
  }
}

describe('dashboard: trial tracking', { timeout: 600_000 }, () => {
  it('attributes from a worker and the trial page; attr.x filters, the column chooser offers and sorts them', async () => {
    const owner = await newOwner(env.stack, { prefix: 'attrs', team: 'Track Lab' });
    const study = await createBranin(owner.client, owner.teamId, { name: 'attributes', maxTrials: 3 });
    try {
      // the objective sets attributes through the runner's trial handle
      const batches = [64, 8, 256];
      let n = 0;
      await runObjective(
        env.stack,
        owner.token,
        study.id,
        async (trial) => {
          const batch = batches[n++];
          await trial.setAttributes({ batch, dataset: batch > 32 ? 'v2' : 'v1', augment: batch === 8 });
          await trial.report(0, { loss: batch / 100 });
          return batch / 100;
        },
        3,
      );
      const trials = await owner.client.allTrials(study.id);
      assert.deepEqual(
        trials.map((t) => Object.fromEntries(t.attributes.map((a) => [a.key, a.value])).batch),
        batches,
      );

      for (const theme of ['light', 'dark']) {
        const { ctx, page, errors } = await open(
          owner.email,
          `${env.stack.web.url}/studies/${study.id}?tql=${encodeURIComponent('attr.batch > 32')}`,
          theme,
        );
        const table = page.getByRole('table', { name: 'Trials' });
        await table.waitFor({ timeout: 60_000 });
        await waitFor(async () => (await table.locator('tbody tr').count()) === 2, {
          what: 'the two trials with batch > 32',
        });
        const numbers = await table.locator('tbody tr td:nth-child(2)').allTextContents();
        assert.deepEqual(numbers.sort(), ['#0', '#2']);
        // the column chooser offers the attributes; a chosen one is a sortable column
        await page.locator('summary', { hasText: 'Columns' }).click();
        await page.getByRole('checkbox', { name: 'batch' }).check();
        await page.locator('summary', { hasText: 'Columns' }).click();
        await page.locator('#trials-query').fill('');
        await page.locator('#trials-query').press('Enter');
        await waitFor(async () => (await table.locator('tbody tr').count()) === 3, {
          what: 'all three trials',
        });
        await table.getByRole('button', { name: /^batch/ }).click();
        const sorted = async () =>
          (await table.locator('tbody tr td:nth-child(2)').allTextContents()).join(' ');
        await waitFor(async () => (await sorted()) === '#1 #0 #2', { what: 'sorted by batch ascending' });
        await table.getByRole('button', { name: /^batch/ }).click();
        await waitFor(async () => (await sorted()) === '#2 #0 #1', { what: 'sorted by batch descending' });
        await shoot(page, `track-attributes-table-${theme}`, page.locator('#trials'));
        assert.deepEqual(errors, []);
        await ctx.close();
      }

      // a member edits them on the trial page; another open page of the trial follows live
      const t0 = trials[0];
      const watcher = await open(owner.email, `${env.stack.web.url}/trials/${t0.id}`, 'dark');
      await watcher.page
        .getByRole('heading', { name: 'Notes, tags and attributes' })
        .waitFor({ timeout: 60_000 });
      const { ctx, page } = await open(owner.email, `${env.stack.web.url}/trials/${t0.id}`);
      const card = page.locator('section', {
        has: page.getByRole('heading', { name: 'Notes, tags and attributes' }),
      });
      await card.getByRole('button', { name: 'Edit' }).click({ timeout: 60_000 });
      const box = page.locator('#trial-attrs');
      assert.equal(await box.inputValue(), 'batch = 64\ndataset = v2\naugment = false');
      await box.fill('batch = 96\ndataset = v3\nrun = "007"');
      await page.getByRole('button', { name: 'Save' }).click();
      const list = card.getByRole('list', { name: 'Attributes' });
      await waitFor(async () => /batch\s*=\s*96/.test((await list.textContent()) ?? ''), {
        what: 'saved attributes',
      });
      const stored = await owner.client.trial(t0.id);
      assert.deepEqual(stored.attributes, [
        { key: 'batch', value: 96 },
        { key: 'dataset', value: 'v3' },
        { key: 'run', value: '007' },
      ]);
      const watched = watcher.page.getByRole('list', { name: 'Attributes' });
      await waitFor(async () => /run\s*=\s*007/.test((await watched.textContent()) ?? ''), {
        what: 'the other open page updated by the annotation event',
        timeoutMs: 10_000,
      });
      await shoot(page, 'track-attributes-trial-light', card);
      await shoot(watcher.page, 'track-attributes-trial-dark', watched);
      await ctx.close();
      await watcher.ctx.close();
    } finally {
      await owner.close();
    }
  });

  it("a failed trial shows the tail of its worker's log and what it ran on", async () => {
    const owner = await newOwner(env.stack, { prefix: 'logtail', team: 'Track Lab' });
    const study = await createBranin(owner.client, owner.teamId, { name: 'failing', maxTrials: 1 });
    try {
      await runObjective(
        env.stack,
        owner.token,
        study.id,
        async (trial) => {
          for (let epoch = 0; epoch < 80; epoch++)
            console.log(`epoch ${epoch}: loss ${(1 / (epoch + 1)).toFixed(4)}`);
          await trial.report(0, { loss: 1 });
          process.stderr.write('warning: the learning rate looks too high\n');
          throw new RangeError('loss diverged to NaN at epoch 80');
        },
        1,
      );
      const [failed] = await owner.client.allTrials(study.id);
      assert.equal(failed.state, 'FAILED');
      for (const theme of ['light', 'dark'])
        for (const size of SIZES) {
          const { ctx, page, errors } = await open(
            owner.email,
            `${env.stack.web.url}/trials/${failed.id}`,
            theme,
            size,
          );
          const log = page.getByTestId('log-tail');
          await log.waitFor({ timeout: 60_000 });
          const text = await log.textContent();
          const lines = text.split('\n');
          assert.equal(lines.length, 64, 'the last 64 lines');
          assert.ok(text.includes('epoch 79: loss 0.0125'), 'the last epochs');
          assert.ok(!text.includes('epoch 10: loss'), 'not the first ones');
          assert.ok(text.includes('warning: the learning rate looks too high'));
          assert.ok(text.includes('RangeError: loss diverged to NaN at epoch 80'), 'the stack');
          const envCard = page.getByTestId('environment');
          const envText = await envCard.textContent();
          assert.match(envText, /Backend\s*cpu/);
          assert.match(envText, new RegExp(`Node\\s*${process.versions.node.replaceAll('.', '\\.')}`));
          assert.match(envText, /@posterior\/runner\s*\d+\.\d+\.\d+/);
          await noOverflow(page, `failed trial page at ${size.width} px`);
          await shoot(page, `track-log-tail-${size.name}-${theme}`, page.locator('#log-h'));
          if (size.name === 'wide') await shoot(page, `track-environment-${theme}`, envCard);
          assert.deepEqual(errors, []);
          await ctx.close();
        }
    } finally {
      await owner.close();
    }
  });

  it('a pruned trial says at which step and why, on its page and in the table', async () => {
    const owner = await newOwner(env.stack, { prefix: 'pruned', team: 'Track Lab' });
    const study = await createBranin(owner.client, owner.teamId, {
      name: 'pruning',
      maxTrials: 6,
      parallelism: 4,
      pruner: { type: 'median', warmupSteps: 0, minTrials: 3 },
    });
    const { client } = owner;
    try {
      const done = await client.askTrials(study.id, 3, 'e2e');
      for (const [i, t] of done.entries()) {
        await client.reportMetrics(t.id, [{ name: 'loss', step: 3, value: 0.4 + i / 100 }]);
        await client.tellTrial(t.id, { state: 'COMPLETE', value: 0.4 + i / 100 });
      }
      const [bad] = await client.askTrials(study.id, 1, 'e2e');
      const r = await client.reportMetrics(bad.id, [{ name: 'loss', step: 3, value: 0.52 }]);
      assert.equal(r.shouldPrune, true);
      await client.tellTrial(bad.id, { state: 'PRUNED', value: 0.52 });
      const reason = "median of 3 completed trials at step 3 was 0.41; this trial's best so far 0.52";
      assert.equal(r.pruneReason, reason);

      for (const theme of ['light', 'dark']) {
        const { ctx, page, errors } = await open(owner.email, `${env.stack.web.url}/trials/${bad.id}`, theme);
        const note = page.getByTestId('prune-reason');
        await note.waitFor({ timeout: 60_000 });
        assert.equal((await note.textContent()).trim(), `Pruned at step 3: ${reason}`);
        await shoot(page, `track-prune-reason-${theme}`);
        await page.goto(`${env.stack.web.url}/studies/${study.id}`);
        const cell = page.locator('.prune-step');
        await cell.waitFor({ timeout: 60_000 });
        assert.equal(await cell.textContent(), 'at step 3');
        assert.equal(await cell.getAttribute('title'), reason);
        // the query box names them too
        await page.locator('#trials-query').fill('prune_step = 3');
        await page.locator('#trials-query').press('Enter');
        const table = page.getByRole('table', { name: 'Trials' });
        await waitFor(async () => (await table.locator('tbody tr').count()) === 1, {
          what: 'one pruned trial',
        });
        await shoot(page, `track-prune-table-${theme}`, page.locator('#trials'));
        assert.deepEqual(errors, []);
        await ctx.close();
      }
    } finally {
      await owner.close();
    }
  });

  it('the study description is edited on the study page by a member; a viewer gets no editor', async () => {
    const owner = await newOwner(env.stack, { prefix: 'describe', team: 'Track Lab' });
    const study = await createBranin(owner.client, owner.teamId, { name: 'described', maxTrials: 4 });
    try {
      for (const theme of ['light', 'dark'])
        for (const size of SIZES) {
          const { ctx, page, errors } = await open(
            owner.email,
            `${env.stack.web.url}/studies/${study.id}`,
            theme,
            size,
          );
          const text = `Sweep ${theme} ${size.name}: lr and dropout\nsecond line`;
          const button = page.getByRole('button', { name: /Add a description|Edit description/ });
          await button.click({ timeout: 60_000 });
          await page.locator('#study-description').fill(text);
          await page.getByRole('button', { name: 'Save description' }).click();
          const shown = page.getByTestId('study-description');
          await waitFor(async () => (await shown.textContent()) === text, { what: 'the saved description' });
          assert.equal((await owner.client.study(study.id)).description, text);
          await noOverflow(page, `study page at ${size.width} px`);
          await shoot(page, `track-description-${size.name}-${theme}`);
          assert.deepEqual(errors, []);
          await ctx.close();
        }
      // an open page follows a change made elsewhere (the CLI, another tab) at once, not at its
      // 15 s reread: the description change is announced on studyUpdates
      {
        const { ctx, page } = await open(owner.email, `${env.stack.web.url}/studies/${study.id}`, 'dark');
        const shown = page.getByTestId('study-description');
        await shown.waitFor({ timeout: 60_000 });
        await page.waitForTimeout(1000); // subscribed
        const started = Date.now();
        await owner.client.setStudyDescription(study.id, 'changed from the CLI');
        await waitFor(async () => (await shown.textContent()) === 'changed from the CLI', {
          what: 'the description pushed to an open page',
          timeoutMs: 5000,
          intervalMs: 100,
        });
        assert.ok(Date.now() - started < 5000);
        await ctx.close();
      }
      // a viewer reads it with no editor
      const viewerEmail = `viewer-${Date.now()}@example.com`;
      const { createNodeClient } = await import('@posterior/sdk/node');
      const anon = createNodeClient({ url: env.stack.api.url });
      const { token: viewerSession } = await anon.signUp(viewerEmail, 'correct horse battery staple', 'Vi');
      await anon.close();
      const inv = await owner.client.inviteMember(owner.teamId, viewerEmail, 'VIEWER');
      const viewer = createNodeClient({ url: env.stack.api.url, token: viewerSession });
      await viewer.acceptInvitation(inv.id);
      await viewer.close();
      const { ctx, page } = await open(viewerEmail, `${env.stack.web.url}/studies/${study.id}`);
      await page.getByTestId('study-description').waitFor({ timeout: 60_000 });
      assert.equal(await page.getByRole('button', { name: /Edit description|Add a description/ }).count(), 0);
      await ctx.close();
    } finally {
      await owner.close();
    }
  });

  it("the study page shows the model's recommended trial beside the best observed one when they differ", async () => {
    const owner = await newOwner(env.stack, { prefix: 'recommend', team: 'Track Lab' });
    // A noisy 1-D study: the best observed value is a lucky outlier among neighbours that are all
    // worse, so the model's lowest posterior mean sits elsewhere.
    const study = await owner.client.createStudy({
      teamId: owner.teamId,
      name: 'noisy recommend',
      direction: 'MINIMIZE',
      objective: 'loss',
      searchSpace: [{ name: 'x', type: 'float', low: 0, high: 1 }],
      sampler: { type: 'random', seed: 3 },
      maxTrials: 40,
      parallelism: 4,
    });
    const { client } = owner;
    try {
      const xs = Array.from({ length: 24 }, (_, i) => i / 23);
      for (const [i, x] of xs.entries()) {
        const t = await client.enqueueTrial(study.id, { x });
        const [claimed] = await client.askTrials(study.id, 1, 'e2e');
        assert.equal(claimed.id, t.id);
        // a smooth bowl around 0.3 plus noise; one lucky point far from it at x = 0.87
        const noise = ((i * 7919) % 13) / 13 - 0.5;
        const value = i === 20 ? -0.2 : (x - 0.3) ** 2 + 0.08 * noise;
        await client.tellTrial(claimed.id, { state: 'COMPLETE', value });
      }
      const rec = await client.studyRecommendedTrial(study.id);
      const s = await client.study(study.id);
      assert.ok(rec && rec.source === 'model', JSON.stringify(rec));
      assert.notEqual(rec.trial.id, s.bestTrial.id, 'the fixture makes them differ');
      for (const theme of ['light', 'dark'])
        for (const size of SIZES) {
          const { ctx, page, errors } = await open(
            owner.email,
            `${env.stack.web.url}/studies/${study.id}`,
            theme,
            size,
          );
          const card = page.getByTestId('recommended-trial');
          await card.waitFor({ timeout: 60_000 });
          const text = await card.textContent();
          assert.match(text, /Recommended by the model/);
          assert.match(text, new RegExp(`trial #${rec.trial.number}\\b`));
          assert.match(text, /±/);
          const best = await page.getByTestId('best-observed').textContent();
          assert.match(best, /Best observed loss/);
          assert.match(best, new RegExp(`trial #${s.bestTrial.number}\\b`));
          await noOverflow(page, `study page at ${size.width} px`);
          await shoot(page, `track-recommended-${size.name}-${theme}`, page.locator('.stats'));
          assert.deepEqual(errors, []);
          await ctx.close();
        }
    } finally {
      await owner.close();
    }
  });

  it('zooming the convergence plot selects the trials in its window on every view', async () => {
    const owner = await newOwner(env.stack, { prefix: 'zoom', team: 'Track Lab' });
    const study = await createBranin(owner.client, owner.teamId, {
      name: 'zoom',
      maxTrials: 20,
      parallelism: 20,
    });
    try {
      const asked = await owner.client.askTrials(study.id, 20, 'e2e');
      assert.equal(asked.length, 20);
      for (const [i, t] of asked.entries())
        await owner.client.tellTrial(t.id, { state: 'COMPLETE', value: 1 + i / 10 });
      const { ctx, page, errors } = await open(owner.email, `${env.stack.web.url}/studies/${study.id}`);
      const chart = page.locator('#convergence canvas').first();
      await chart.waitFor({ timeout: 60_000 });
      // zoom in with the wheel over the plot, as a user would
      await chart.scrollIntoViewIfNeeded();
      await page.waitForTimeout(500);
      const box = await chart.boundingBox();
      await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.4);
      for (let i = 0; i < 4; i++) {
        await page.mouse.wheel(0, -300);
        await page.waitForTimeout(100);
      }
      const bar = page.getByRole('status', { name: 'Selection' });
      await bar.waitFor({ timeout: 10_000 });
      assert.match(await bar.textContent(), /zoomed on the convergence plot/);
      const count = Number((await bar.locator('b').textContent()).replace(/,/g, ''));
      assert.ok(count > 0 && count < 20, `some, not all, trials selected (${count})`);
      // the table marks exactly those (all on its one page of 50)
      const marked = await page.locator('table[aria-label="Trials"] tbody tr[data-selected="true"]').count();
      assert.equal(marked, count);
      await shoot(page, 'track-zoom-selection-light');
      // zooming all the way out clears it
      await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.4);
      for (let i = 0; i < 10; i++) {
        await page.mouse.wheel(0, 600);
        await page.waitForTimeout(100);
      }
      await waitFor(async () => (await bar.count()) === 0, {
        what: 'the zoom selection cleared',
        timeoutMs: 10_000,
      });
      assert.deepEqual(errors, []);
      await ctx.close();
    } finally {
      await owner.close();
    }
  });
});
