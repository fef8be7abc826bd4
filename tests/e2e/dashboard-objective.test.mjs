// The objective selector of multi-objective studies, in Debian chromium against a real API: the
// slice, contour, EDF, importance and surrogate charts show the objective chosen (URL key `obj`),
// read back from the charts' own data against the values the test told, and the GP importance and
// surrogate against the API's fit of that objective (`objective` argument); a single-objective study
// has no selector and its charts are as before. Both sizes: no horizontal overflow.
// Run: npm run build && node --test tests/e2e/dashboard-objective.test.mjs
import assert from 'node:assert/strict';
import { dashboardSuite, newOwner, shot, signedInContext } from './dashboard-fixture.mjs';

const { before, after, describe, it, env } = dashboardSuite();

const SPACE = [
  { name: 'x', type: 'float', low: 0, high: 1 },
  { name: 'y', type: 'float', low: 0, high: 1 },
];
const OBJECTIVES = [
  { name: 'val_loss', direction: 'MINIMIZE' },
  { name: 'throughput', direction: 'MAXIMIZE' },
];
// [val_loss, throughput]: distinct values on different scales, so a chart shows exactly one of them
const TOLD = [
  [0.9, 120],
  [0.5, 300],
  [0.3, 550],
  [0.2, 800],
  [0.6, 400],
  [0.35, 610],
];

/** A chart's first series data, read from its echarts instance. */
async function seriesData(page, cardId) {
  const chart = page.locator(`#${cardId} .chart[data-ready="true"]`);
  await chart.waitFor({ timeout: 60_000 });
  return chart.evaluate((el) => el.querySelector('.chart-canvas').__posteriorChart.getOption().series);
}

/** The EDF's distinct x values (its first point repeats the smallest one at share 0). */
async function edfValues(page) {
  const [line] = await seriesData(page, 'edf');
  return [...new Set(line.data.map((d) => d[0]))].sort((a, b) => a - b);
}

/** The slice grid's plotted objective values (the first panel's scatter). */
async function sliceValues(page) {
  const series = await seriesData(page, 'slice-grid');
  const first = series.find((s) => s.type === 'scatter' && s.data.length > 0);
  return first.data.map((d) => d[1]).sort((a, b) => a - b);
}

/** The importance chart's bars as {param: share}, once the model's (not the estimate) is shown. */
async function importanceBars(page) {
  await page
    .locator('#importance')
    .getByText(/From the fitted GP/)
    .waitFor({ timeout: 60_000 });
  const chart = page.locator('#importance .chart[data-ready="true"]');
  await chart.waitFor({ timeout: 60_000 });
  return chart.evaluate((el) => {
    const opt = el.querySelector('.chart-canvas').__posteriorChart.getOption();
    const params = opt.yAxis[0].data;
    return Object.fromEntries(opt.series[0].data.map((d, i) => [params[i], d.value]));
  });
}

/** The API's importance of one objective, as the chart shows it ({param: share}). */
async function apiImportance(client, studyId, objective) {
  const list = await client.studyImportance(studyId, { objective });
  const sum = list.reduce((a, p) => a + p.importance, 0);
  return Object.fromEntries(list.map((p) => [p.param, p.importance / sum]));
}

/** Equal shares to 1e-6 (the chart holds the API's numbers, normalized). */
function sameShares(actual, expected, what) {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), what);
  for (const k of Object.keys(expected))
    assert.ok(Math.abs(actual[k] - expected[k]) < 1e-6, `${what}: ${JSON.stringify({ actual, expected })}`);
}

/**
 * The surrogate chart's GP mean once it is drawn on the expected scale (`large`: above 50, the
 * throughput's; else below 5, val_loss's): a slice of the other objective still shown fails it.
 */
async function surrogateMeans(page, large) {
  const handle = await page.waitForFunction(
    (big) => {
      const chart = document.querySelector('#surrogate .chart-canvas')?.__posteriorChart;
      const mean = chart?.getOption().series.find((s) => s.name === 'GP mean');
      const ys = mean?.data?.map((d) => d[1]) ?? [];
      if (ys.length === 0) return null;
      const top = Math.max(...ys.map(Math.abs));
      return (big ? top > 50 : top < 5) ? ys : null;
    },
    large,
    { timeout: 60_000 },
  );
  return handle.jsonValue();
}

/** The API's surrogate means of one objective along x (the dashboard's default parameter, 100 points). */
async function apiMeans(client, studyId, objective) {
  const s = await client.studySurrogate(studyId, 'x', 100, { objective });
  return s.points.map((p) => p.mean);
}

function sameMeans(actual, expected, what) {
  assert.equal(actual.length, expected.length, what);
  for (const [i, v] of actual.entries())
    assert.ok(Math.abs(v - expected[i]) <= 1e-6 * Math.max(1, Math.abs(v)), `${what} at ${i}`);
}

async function passOver(page) {
  await page.evaluate(async () => {
    for (let y = 0; y < document.body.scrollHeight; y += 400) {
      window.scrollTo(0, y);
      await new Promise((r) => setTimeout(r, 80));
    }
  });
  await page.waitForTimeout(300);
}

describe('dashboard: the objective shown by the per-objective charts', { timeout: 600_000 }, () => {
  let owner;
  let multiId;
  let singleId;
  const single = [0.8, 0.4, 0.25, 0.6, 0.1, 0.5];

  before(async () => {
    owner = await newOwner(env.stack, { prefix: 'objsel' });
    const s = await owner.client.createStudy({
      teamId: owner.teamId,
      name: 'objective selector',
      objectives: OBJECTIVES,
      searchSpace: SPACE,
      sampler: { type: 'random', seed: 3 },
      maxTrials: TOLD.length,
      parallelism: TOLD.length,
    });
    multiId = s.id;
    const asked = (await owner.client.askTrials(multiId, TOLD.length, 'e2e')).sort(
      (a, b) => a.number - b.number,
    );
    for (const [i, t] of asked.entries())
      await owner.client.tellTrial(t.id, { state: 'COMPLETE', values: TOLD[i] });
    const one = await owner.client.createStudy({
      teamId: owner.teamId,
      name: 'single objective',
      direction: 'MINIMIZE',
      objective: 'loss',
      searchSpace: SPACE,
      sampler: { type: 'random', seed: 4 },
      maxTrials: single.length,
      parallelism: single.length,
    });
    singleId = one.id;
    const got = (await owner.client.askTrials(singleId, single.length, 'e2e')).sort(
      (a, b) => a.number - b.number,
    );
    for (const [i, t] of got.entries())
      await owner.client.tellTrial(t.id, { state: 'COMPLETE', value: single[i] });
  });
  after(async () => {
    await owner?.close();
  });

  const signedIn = (viewport) => signedInContext(env.browser, env.stack, owner.email, { viewport });

  it('switching the objective redraws slice, EDF and contour from that objective, in the URL; importance and surrogate follow', async () => {
    const ctx = await signedIn({ width: 1440, height: 900 });
    const page = await ctx.newPage();
    await page.goto(`${env.stack.web.url}/studies/${multiId}`);
    await page.getByRole('heading', { name: 'objective selector', exact: true }).waitFor({ timeout: 60_000 });
    await passOver(page);
    const first = TOLD.map((v) => v[0]).sort((a, b) => a - b);
    const second = TOLD.map((v) => v[1]).sort((a, b) => a - b);
    const select = page.getByLabel(/Objective shown in the slice/);
    assert.equal(await select.inputValue(), '0');
    assert.deepEqual(await edfValues(page), first);
    assert.deepEqual(await sliceValues(page), first);
    // the GP charts model val_loss (values below 1): the API's fit of the first objective
    const meansFirst = await apiMeans(owner.client, multiId, 'val_loss');
    assert.ok(Math.max(...meansFirst.map(Math.abs)) < 5, JSON.stringify(meansFirst));
    sameMeans(await surrogateMeans(page, false), meansFirst, 'val_loss surrogate');
    sameShares(
      await importanceBars(page),
      await apiImportance(owner.client, multiId, 'val_loss'),
      'val_loss importance',
    );

    await select.selectOption({ label: 'throughput (max)' });
    await page.waitForURL(/[?&]obj=1\b/);
    await page.waitForFunction(
      () =>
        document
          .querySelector('#edf .chart-canvas')
          ?.__posteriorChart?.getOption()
          .series[0].data.some((d) => d[0] > 100),
      null,
      { timeout: 30_000 },
    );
    assert.deepEqual(await edfValues(page), second);
    assert.deepEqual(await sliceValues(page), second);
    // the contour's points carry the chosen objective too ([x, y, value, number])
    const contour = await seriesData(page, 'contour');
    const pts = contour.find((s) => s.type === 'scatter')?.data ?? [];
    assert.deepEqual(
      pts.map((d) => d[2]).sort((a, b) => a - b),
      second,
    );
    // the chart texts name it; importance and the surrogate are the GP's fit of throughput (the
    // API's `objective` argument), on its scale (hundreds), not val_loss's
    await page
      .locator('#edf')
      .getByText(/throughput/)
      .first()
      .waitFor();
    const meansSecond = await apiMeans(owner.client, multiId, 'throughput');
    assert.ok(Math.max(...meansSecond) > 50, JSON.stringify(meansSecond));
    sameMeans(await surrogateMeans(page, true), meansSecond, 'throughput surrogate');
    sameShares(
      await importanceBars(page),
      await apiImportance(owner.client, multiId, 'throughput'),
      'throughput importance',
    );
    assert.equal(
      await page
        .locator('#surrogate')
        .getByText(/first objective/)
        .count(),
      0,
    );
    await shot(page, 'objective-selector-desktop');

    // a reload keeps the choice; the first objective drops the key
    await page.reload();
    await page.getByRole('heading', { name: 'objective selector', exact: true }).waitFor();
    await passOver(page);
    assert.equal(await page.getByLabel(/Objective shown in the slice/).inputValue(), '1');
    assert.deepEqual(await edfValues(page), second);
    sameMeans(await surrogateMeans(page, true), meansSecond, 'throughput after reload');
    await page.getByLabel(/Objective shown in the slice/).selectOption({ label: 'val_loss (min)' });
    await page.waitForURL((u) => !new URL(u).searchParams.has('obj'));
    await page.waitForFunction(
      () =>
        document
          .querySelector('#edf .chart-canvas')
          ?.__posteriorChart?.getOption()
          .series[0].data.every((d) => d[0] < 1),
      null,
      { timeout: 30_000 },
    );
    assert.deepEqual(await edfValues(page), first);
    sameMeans(await surrogateMeans(page, false), meansFirst, 'val_loss again');
    await ctx.close();
  });

  it('phone width: the selector fits without horizontal overflow', async () => {
    const ctx = await signedIn({ width: 390, height: 844 });
    const page = await ctx.newPage();
    await page.goto(`${env.stack.web.url}/studies/${multiId}?obj=1`);
    await page.getByRole('heading', { name: 'objective selector', exact: true }).waitFor({ timeout: 60_000 });
    await page.getByTestId('objective-selector').waitFor();
    await passOver(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px`);
    await shot(page, 'objective-selector-phone');
    await ctx.close();
  });

  it('a single-objective study has no selector, and ?obj is ignored', async () => {
    const ctx = await signedIn({ width: 1440, height: 900 });
    const page = await ctx.newPage();
    await page.goto(`${env.stack.web.url}/studies/${singleId}?obj=1`);
    await page.getByRole('heading', { name: 'single objective', exact: true }).waitFor({ timeout: 60_000 });
    await passOver(page);
    assert.equal(await page.getByTestId('objective-selector').count(), 0);
    assert.deepEqual(
      await edfValues(page),
      [...single].sort((a, b) => a - b),
    );
    await ctx.close();
  });
});
