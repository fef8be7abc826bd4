// Exploring a study's trials in the dashboard (issue 15 items 4-6), in Debian chromium against a real
// API: the trials query box over params and metrics (and where a bad query goes wrong), the column
// chooser offering every reported metric, CSV export of the filtered trials, a selection made in the
// table or by a brush on the convergence plot shown on the charts, and compare. The file's fixture,
// a finished study with two metrics, is made before the first test and never changed; each test
// opens its own page, so any one runs alone (tests/e2e/dashboard-fixture.mjs).
// Run: npm run build && node --test tests/e2e/dashboard-explore.test.mjs
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliBin } from '../scale/lib/procs.mjs';
import {
  createBranin,
  dashboardSuite,
  newOwner,
  shot,
  signedInContext,
  waitFor,
} from './dashboard-fixture.mjs';

const { before, after, describe, it, env, why } = dashboardSuite();
const N = 12;

describe('dashboard: querying, selecting and comparing trials', { timeout: 300_000 }, () => {
  let owner;
  let studyId;
  let ctx;
  /** number -> { id, x, y, loss, val_acc } of every trial (all complete). */
  const trials = new Map();

  before(async () => {
    owner = await newOwner(env.stack, { prefix: 'explore' });
    studyId = (await createBranin(owner.client, owner.teamId, { maxTrials: N, parallelism: N })).id;
    const asked = await owner.client.askTrials(studyId, N, 'e2e');
    for (const t of asked) {
      const { x, y } = t.params;
      const loss = Math.round((x * x + y) * 1000) / 1000;
      const acc = Math.round((1 - t.number / 20) * 1000) / 1000;
      for (let step = 0; step < 4; step++) {
        await owner.client.reportMetrics(t.id, [
          { name: 'loss', step, value: loss + (3 - step) },
          { name: 'val_acc', step, value: acc - (3 - step) * 0.01 },
        ]);
      }
      await owner.client.tellTrial(t.id, { state: 'COMPLETE', value: loss });
      trials.set(t.number, { id: t.id, x, y, loss, val_acc: acc });
    }
    ctx = await signedInContext(env.browser, env.stack, owner.email, { acceptDownloads: true });
  });
  after(async () => {
    await ctx?.close();
    await owner?.close();
  });

  const openStudy = async (query = '') => {
    const page = await ctx.newPage();
    await page.goto(`${env.stack.web.url}/studies/${studyId}${query}`);
    await page.getByRole('table', { name: 'Trials' }).getByRole('link', { name: 'Open trial 0' }).waitFor();
    return page;
  };
  const shownNumbers = async (page) =>
    (
      await page
        .getByRole('table', { name: 'Trials' })
        .getByRole('link', { name: /^Open trial/ })
        .allTextContents()
    )
      .map((s) => Number(s.replace('#', '')))
      .sort((a, b) => a - b);
  const expected = (keep) =>
    [...trials]
      .filter(([, t]) => keep(t))
      .map(([n]) => n)
      .sort((a, b) => a - b);

  it('the query box filters by params and metrics, keeps the query in the URL, and says where a bad one fails', async () => {
    const page = await openStudy();
    const box = page.getByLabel('Trials query');
    await box.fill('x < 2.5 and val_acc > 0.6');
    await box.press('Enter');
    const want = expected((t) => t.x < 2.5 && t.val_acc > 0.6);
    assert.ok(want.length > 0 && want.length < N, `the query keeps some trials (${want.join(',')})`);
    await waitFor(async () => (await shownNumbers(page)).join() === want.join(), {
      what: 'the filtered rows',
    });
    assert.equal(new URL(page.url()).searchParams.get('tql'), 'x < 2.5 and val_acc > 0.6');
    // or / not / the objective's name, and reloading keeps the query
    await page.reload();
    await waitFor(async () => (await shownNumbers(page)).join() === want.join(), {
      what: 'the query after reload',
    });
    await box.fill('not (loss >= 20) or number = 0');
    await box.press('Enter');
    const want2 = expected((t) => !(t.loss >= 20)).concat(trials.get(0).loss >= 20 ? [0] : []);
    await waitFor(async () => (await shownNumbers(page)).join() === want2.sort((a, b) => a - b).join(), {
      what: 'rows of the second query',
    });
    await shot(page, 'study-query');
    // a query that does not parse: the table shows every trial and the error says where
    await box.fill('x < (1');
    await box.press('Enter');
    await page
      .getByRole('alert')
      .filter({ hasText: 'Query not applied' })
      .getByText(/found "\(" \(at character 5\)/)
      .waitFor();
    assert.equal(await box.getAttribute('aria-invalid'), 'true');
    await waitFor(async () => (await shownNumbers(page)).length === N, { what: 'every trial' });
    await page.close();
  });

  it('the column chooser offers every reported metric; CSV export writes the trials the filters keep', async () => {
    const page = await openStudy('?tql=val_acc%20%3E%200.7');
    const want = expected((t) => t.val_acc > 0.7);
    await waitFor(async () => (await shownNumbers(page)).join() === want.join(), {
      what: 'the filtered rows',
    });
    await page.locator('summary', { hasText: 'Columns' }).click();
    const columns = page.getByRole('group', { name: 'Columns' });
    await columns.getByLabel('loss', { exact: true }).waitFor();
    await columns.getByLabel('val_acc', { exact: true }).check();
    await columns.getByLabel('y', { exact: true }).uncheck();
    const table = page.getByRole('table', { name: 'Trials' });
    await table.getByRole('columnheader', { name: 'val_acc' }).waitFor();
    assert.equal(await table.getByRole('columnheader', { name: 'y', exact: true }).count(), 0, 'y hidden');
    const row1 = table
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: 'Open trial 1', exact: true }) });
    await row1.getByText(String(trials.get(1).val_acc), { exact: true }).waitFor();
    assert.match(new URL(page.url()).searchParams.get('tcols') ?? '', /m:val_acc/);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'branin_e2e-trials.csv');
    const lines = readFileSync(await download.path(), 'utf8')
      .trimEnd()
      .split('\r\n');
    const header = lines[0].split(',');
    for (const col of ['number', 'state', 'value', 'params.x', 'params.y', 'metrics.loss', 'metrics.val_acc'])
      assert.ok(header.includes(col), `${col} in ${lines[0]}`);
    const rows = lines.slice(1).map((l) => l.split(','));
    const at = (name) => header.indexOf(name);
    assert.deepEqual(
      rows.map((r) => Number(r[at('number')])).sort((a, b) => a - b),
      want,
      'the filtered trials',
    );
    for (const r of rows) {
      const t = trials.get(Number(r[at('number')]));
      assert.equal(Number(r[at('value')]), t.loss);
      assert.equal(Number(r[at('params.x')]), t.x);
      assert.equal(Number(r[at('metrics.val_acc')]), t.val_acc, 'the last reported value');
    }
    await page.close();
  });

  it('`posterior export STUDY -o trials.csv --metrics` writes what the dashboard exports', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'posterior-export-')), 'trials.csv');
    const run = spawnSync(
      process.execPath,
      [cliBin, 'export', studyId, '-o', out, '--metrics', '--api', env.stack.api.url, '--token', owner.token],
      { encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\r\n');
    const header = lines[0].split(',');
    assert.deepEqual(header, [
      'number',
      'state',
      'value',
      'worker',
      'error',
      'duration_s',
      'started_at',
      'finished_at',
      'params.x',
      'params.y',
      'metrics.loss',
      'metrics.val_acc',
    ]);
    assert.equal(lines.length, N + 1);
    for (const line of lines.slice(1)) {
      const r = line.split(',');
      const t = trials.get(Number(r[0]));
      assert.equal(r[1], 'COMPLETE');
      assert.equal(Number(r[2]), t.loss);
      assert.equal(Number(r[8]), t.x);
      assert.equal(Number(r[10]), t.loss, 'the last reported loss');
      assert.equal(Number(r[11]), t.val_acc);
    }
    const bad = spawnSync(process.execPath, [cliBin, 'export', studyId, '--state', 'DONE'], {
      encoding: 'utf8',
    });
    assert.equal(bad.status, 2, 'bad usage exits 2');
  });

  it('rows picked in the table are selected on the charts, and compare shows their differences and curves', async () => {
    const page = await openStudy();
    for (const n of [1, 4, 7]) await page.getByLabel(`Select trial ${n}`, { exact: true }).check();
    const bar = page.getByRole('status', { name: 'Selection' });
    await bar.getByText('3 trials selected').waitFor();
    const table = page.getByRole('table', { name: 'Trials' });
    assert.equal(await table.locator('tr[data-selected="true"]').count(), 3);
    // linked: the convergence plot rings them, the parallel coordinates draw them over the rest
    await waitFor(
      async () => (await page.locator('#convergence [data-selected]').getAttribute('data-selected')) === '3',
      {
        what: 'the convergence plot showing the selection',
      },
    );
    // the charts below the fold mount when scrolled into view
    await page.evaluate(async () => {
      for (let y = 0; y < document.body.scrollHeight; y += 400) {
        window.scrollTo(0, y);
        await new Promise((r) => setTimeout(r, 60));
      }
    });
    await waitFor(
      async () => (await page.locator('#parallel [data-selected]').getAttribute('data-selected')) === '3',
      {
        what: 'the parallel coordinates showing the selection',
      },
    );

    await bar.getByRole('button', { name: 'Compare selected' }).click();
    const compare = page.getByRole('table', { name: 'Compared trials' });
    await compare.waitFor();
    const heads = await compare.getByRole('columnheader').allTextContents();
    assert.deepEqual(heads.slice(1), ['#1', '#4', '#7']);
    // x and y differ between these trials (the random sampler), state does not
    assert.equal(
      await compare.getByRole('row').filter({ hasText: /^x/ }).getAttribute('data-differs'),
      'true',
    );
    assert.equal(
      await compare
        .getByRole('row')
        .filter({ hasText: /^state/ })
        .getAttribute('data-differs'),
      'false',
    );
    await page.getByLabel('Only differences').check();
    assert.equal(
      await compare
        .getByRole('row')
        .filter({ hasText: /^state/ })
        .count(),
      0,
      'equal rows hidden',
    );
    // a chart per reported metric, one curve per compared trial
    for (const m of ['loss', 'val_acc']) {
      const chart = page.locator(`#compare [data-metric="${m}"]`);
      await chart.waitFor();
      assert.equal(await chart.getAttribute('data-series'), '3');
    }
    await page
      .locator('#compare')
      .screenshot({ path: new URL('./screenshots/compare.png', import.meta.url).pathname });

    await bar.getByRole('button', { name: 'Clear selection' }).click();
    await bar.waitFor({ state: 'detached' });
    assert.equal(await table.locator('tr[data-selected="true"]').count(), 0);
    assert.equal(await page.locator('#convergence [data-selected]').getAttribute('data-selected'), '0');
    await page.close();
  });

  it('a brush along a parallel axis selects the trials inside its range in the table', async () => {
    const page = await openStudy();
    await page.evaluate(async () => {
      for (let y = 0; y < document.body.scrollHeight; y += 400) {
        window.scrollTo(0, y);
        await new Promise((r) => setTimeout(r, 60));
      }
    });
    const chart = page.locator('#parallel .chart');
    await page.locator('#parallel [data-ready="true"]').waitFor();
    await chart.scrollIntoViewIfNeeded();
    const box = await chart.boundingBox();
    assert.ok(box);
    // the x axis is the first, 40 px in, spanning the search space [-5, 10] from 36 px below the top
    // to 24 px above the bottom: from its middle (x = 2.5) down past its end selects x <= 2.5
    const top = box.y + 36;
    const bottom = box.y + box.height - 24;
    await page.mouse.move(box.x + 40, (top + bottom) / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 40, bottom + 30, { steps: 8 });
    await page.mouse.up();
    const bar = page.getByRole('status', { name: 'Selection' });
    await bar.getByText('brushed on the parallel axes').waitFor();
    const rows = page.getByRole('table', { name: 'Trials' }).locator('tr[data-selected="true"]');
    const picked = (await rows.getByRole('link', { name: /^Open trial/ }).allTextContents()).map((s) =>
      Number(s.replace('#', '')),
    );
    // a pixel or two of slack at the middle
    for (const n of expected((t) => t.x < 2.2)) assert.ok(picked.includes(n), `trial ${n} selected`);
    for (const n of picked)
      assert.ok(trials.get(n).x < 2.8, `trial ${n} (x=${trials.get(n).x}) not in range`);
    assert.ok(picked.length > 0);
    await page.close();
  });

  it('a brush on the convergence plot selects the trials inside it in the table', async () => {
    const page = await openStudy();
    const chart = page.locator('#convergence .chart');
    await page.locator('#convergence [data-ready="true"]').waitFor();
    await page.getByRole('button', { name: 'Brush to select' }).click();
    const box = await chart.boundingBox();
    assert.ok(box);
    // from the plot's middle down to the right, past its edge: the trials right of and below the middle
    const [xc, yc] = await page.evaluate(() => {
      const el = document.querySelector('#convergence .chart-canvas');
      return el.__posteriorChart.convertFromPixel({ gridIndex: 0 }, [
        el.clientWidth / 2,
        el.clientHeight / 2 - 10,
      ]);
    });
    const want = expected((t) => t.loss <= yc).filter((n) => n >= xc);
    assert.ok(want.length > 0, 'some trials in the brushed corner');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 10);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width + 40, box.y + box.height + 40, { steps: 10 });
    await page.mouse.up();
    const bar = page.getByRole('status', { name: 'Selection' });
    await bar.getByText(`${want.length} ${want.length === 1 ? 'trial' : 'trials'} selected`).waitFor();
    await bar.getByText('brushed on the convergence plot').waitFor();
    const rows = page.getByRole('table', { name: 'Trials' }).locator('tr[data-selected="true"]');
    const picked = (await rows.getByRole('link', { name: /^Open trial/ }).allTextContents())
      .map((s) => Number(s.replace('#', '')))
      .sort((a, b) => a - b);
    assert.deepEqual(picked, want);
    assert.equal(
      await page.getByRole('button', { name: 'Brush to select' }).getAttribute('aria-pressed'),
      'false',
    );
    await page.close();
  });
});

if (why) console.log(`# skipped: ${why}`);
