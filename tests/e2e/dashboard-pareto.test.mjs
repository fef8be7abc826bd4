// The Pareto views of multi-objective and constrained studies (issue 17 item 3), in Debian chromium
// against a real API: a 2-objective constrained study (a scatter with the front's step line, closed
// on the study's reference point) and a 3-objective one (a pairwise scatter matrix). The test knows
// every told value and computes the front and the hypervolume itself; the charts must draw exactly
// those trials as the front, mark the infeasible ones (hollow) on every chart that shows trials, the
// hypervolume chart must end at the API's (and the test's) hypervolume, the trials table must sort by
// an objective. At 1440x900 and 390x844, both themes: no horizontal overflow, no serious or critical
// axe violation; screenshots under tests/e2e/screenshots/pareto/.
// Run: npm run build && node --test tests/e2e/dashboard-pareto.test.mjs
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { axeFindings } from './axe.mjs';
import { dashboardSuite, newOwner, shotsDir, themedContext, waitFor } from './dashboard-fixture.mjs';

const { before, after, describe, it, env } = dashboardSuite();
const shots = join(shotsDir, 'pareto');
mkdirSync(shots, { recursive: true });

const SIZES = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];
const SPACE = [
  { name: 'x', type: 'float', low: 0, high: 1 },
  { name: 'y', type: 'float', low: 0, high: 1 },
];

// 2 objectives (both minimized), 1 constraint (memory_gb - 4 <= 0), the study's reference point.
const TWO = {
  objectives: [
    { name: 'val_loss', direction: 'MINIMIZE' },
    { name: 'latency_ms', direction: 'MINIMIZE' },
  ],
  constraints: [{ name: 'memory_over' }],
  referencePoint: [1, 100],
  // [val_loss, latency_ms], [memory_over]
  told: [
    [[0.9, 12], [-1]],
    [[0.5, 30], [-2]],
    [[0.3, 55], [-0.5]],
    [[0.2, 80], [-3]],
    [[0.6, 40], [-1]], // dominated by #1
    [[0.05, 5], [2.5]], // would dominate every trial, but breaks the constraint
    [[0.35, 60], [-1]], // dominated by #2
    [[0.15, 95], [-1]],
    [[0.4, 20], [0.5]], // infeasible
    [[0.8, 11], [-0.1]],
  ],
};
// 3 objectives: loss and size minimized, accuracy maximized; no constraints, the reference inferred.
const THREE = {
  objectives: [
    { name: 'loss', direction: 'MINIMIZE' },
    { name: 'size_mb', direction: 'MINIMIZE' },
    { name: 'accuracy', direction: 'MAXIMIZE' },
  ],
  told: [
    [0.5, 10, 0.8],
    [0.4, 20, 0.85],
    [0.6, 5, 0.7],
    [0.45, 25, 0.8], // dominated by #1
    [0.3, 40, 0.9],
    [0.7, 12, 0.6], // dominated by #0
    [0.55, 8, 0.82],
    [0.35, 45, 0.88], // dominated by #4
  ],
};

/** Trial indices on the feasible front (brute force: no feasible trial at least as good everywhere and better once). */
function expectedFront(values, directions, feasible) {
  const better = (a, b, j) => (directions[j] === 'MAXIMIZE' ? a > b : a < b);
  return values
    .map((_v, i) => i)
    .filter(
      (i) =>
        feasible[i] &&
        !values.some(
          (u, k) =>
            k !== i &&
            feasible[k] &&
            u.every((x, j) => x === values[i][j] || better(x, values[i][j], j)) &&
            u.some((x, j) => better(x, values[i][j], j)),
        ),
    );
}

/** Exact 2-D hypervolume of minimized points against a reference point. */
function hypervolume2d(points, ref) {
  const inside = points.filter(([a, b]) => a < ref[0] && b < ref[1]).sort((p, q) => p[0] - q[0]);
  let hv = 0;
  let top = ref[1];
  for (const [a, b] of inside) {
    if (b >= top) continue;
    hv += (ref[0] - a) * (top - b);
    top = b;
  }
  return hv;
}

/** What a chart draws: each series' name, type and data, read from its echarts instance. */
async function chartSeries(page, cardId) {
  const chart = page.locator(`#${cardId} .chart[data-ready="true"]`);
  await chart.waitFor({ timeout: 60_000 });
  return chart.evaluate((el) =>
    el
      .querySelector('.chart-canvas')
      .__posteriorChart.getOption()
      .series.map((s) => ({
        name: s.name,
        type: s.type,
        id: s.id,
        data: s.data,
        itemStyle: s.itemStyle,
      })),
  );
}

const numbersOf = (series, name, type = 'scatter') =>
  series
    .filter((s) => s.name === name && s.type === type)
    .flatMap((s) => s.data.map((d) => d[d.length - 1]))
    .sort((a, b) => a - b);

/** Charts below the fold mount when scrolled near: pass over the page once. */
async function passOver(page) {
  await page.evaluate(async () => {
    for (let y = 0; y < document.body.scrollHeight; y += 400) {
      window.scrollTo(0, y);
      await new Promise((r) => setTimeout(r, 80));
    }
    window.scrollTo(0, 0);
  });
  await page.waitForTimeout(500);
}

describe('dashboard: Pareto views of multi-objective and constrained studies', { timeout: 900_000 }, () => {
  let owner;
  const two = { id: null, numbers: [], front: [], infeasible: [] };
  const three = { id: null, numbers: [], front: [] };

  async function tellAll(studyId, told) {
    const asked = await owner.client.askTrials(studyId, told.length, 'e2e');
    assert.equal(asked.length, told.length);
    asked.sort((a, b) => a.number - b.number);
    for (const [i, t] of asked.entries()) {
      const [values, constraints] = told[i];
      await owner.client.tellTrial(t.id, {
        state: 'COMPLETE',
        values,
        ...(constraints ? { constraints } : {}),
      });
    }
    return asked.map((t) => t.number);
  }

  before(async () => {
    owner = await newOwner(env.stack, { prefix: 'pareto' });
    const s2 = await owner.client.createStudy({
      teamId: owner.teamId,
      name: 'pareto two',
      objectives: TWO.objectives,
      constraints: TWO.constraints,
      referencePoint: TWO.referencePoint,
      searchSpace: SPACE,
      sampler: { type: 'random', seed: 1 },
      maxTrials: TWO.told.length,
      parallelism: TWO.told.length,
    });
    two.id = s2.id;
    two.numbers = await tellAll(two.id, TWO.told);
    const feasible = TWO.told.map(([, c]) => c.every((x) => x <= 0));
    two.front = expectedFront(
      TWO.told.map(([v]) => v),
      TWO.objectives.map((o) => o.direction),
      feasible,
    ).map((i) => two.numbers[i]);
    two.infeasible = feasible.flatMap((f, i) => (f ? [] : [two.numbers[i]]));
    two.hv = hypervolume2d(
      two.front.map((n) => TWO.told[two.numbers.indexOf(n)][0]),
      TWO.referencePoint,
    );

    const s3 = await owner.client.createStudy({
      teamId: owner.teamId,
      name: 'pareto three',
      objectives: THREE.objectives,
      searchSpace: SPACE,
      sampler: { type: 'random', seed: 2 },
      maxTrials: THREE.told.length,
      parallelism: THREE.told.length,
    });
    three.id = s3.id;
    three.numbers = await tellAll(
      three.id,
      THREE.told.map((v) => [v]),
    );
    three.front = expectedFront(
      THREE.told,
      THREE.objectives.map((o) => o.direction),
      THREE.told.map(() => true),
    ).map((i) => three.numbers[i]);
  });
  after(async () => {
    await owner?.close();
  });

  const context = ({ theme = 'light', size = SIZES[0] } = {}) =>
    themedContext(env, owner.email, { theme, viewport: { width: size.width, height: size.height } });
  async function openStudy(ctx, id, name) {
    const page = await ctx.newPage();
    await page.goto(`${env.stack.web.url}/studies/${id}`);
    await page.getByRole('heading', { name, exact: true }).waitFor({ timeout: 60_000 });
    await page
      .getByRole('table', { name: 'Trials' })
      .getByRole('link', { name: /^Open trial/ })
      .first()
      .waitFor();
    return page;
  }

  it('the API agrees with the test on the fronts (the dashboard is checked against both)', async () => {
    assert.deepEqual(
      two.front.length > 2 && two.infeasible.length,
      2,
      'the fixture has a front and 2 infeasible trials',
    );
    const s2 = await owner.client.study(two.id);
    assert.equal(s2.isMultiObjective, true);
    assert.deepEqual(
      s2.paretoFront.map((t) => t.number).sort((a, b) => a - b),
      two.front,
    );
    assert.equal(s2.referencePoint.source, 'STUDY');
    assert.ok(Math.abs(s2.hypervolumeHistory.at(-1).hypervolume - two.hv) < 1e-9 * Math.max(1, two.hv));
    const s3 = await owner.client.study(three.id);
    assert.deepEqual(
      s3.paretoFront.map((t) => t.number).sort((a, b) => a - b),
      three.front,
    );
  });

  it('2 objectives: the front as a scatter with its step line, infeasible trials hollow on every chart, the hypervolume, sorting by an objective', async () => {
    const ctx = await context();
    const page = await openStudy(ctx, two.id, 'pareto two');
    const pareto = await chartSeries(page, 'pareto');
    assert.deepEqual(numbersOf(pareto, 'Pareto front'), two.front, 'the front');
    assert.deepEqual(numbersOf(pareto, 'Infeasible'), two.infeasible, 'infeasible trials');
    const dominated = two.numbers.filter((n) => !two.front.includes(n) && !two.infeasible.includes(n));
    assert.deepEqual(numbersOf(pareto, 'Dominated'), dominated);
    assert.equal(pareto.find((s) => s.name === 'Infeasible').itemStyle.color, 'transparent', 'hollow');
    // the step line runs through every front point, from the reference point's latency to its loss
    const line = pareto.find((s) => s.type === 'line').data;
    for (const n of two.front) {
      const [loss, latency] = TWO.told[two.numbers.indexOf(n)][0];
      assert.ok(
        line.some(([a, b]) => a === loss && b === latency),
        `the step line passes trial #${n}`,
      );
    }
    assert.deepEqual(line[0][1], TWO.referencePoint[1]);
    assert.deepEqual(line.at(-1)[0], TWO.referencePoint[0]);
    // the summary says front, not best; the convergence plot gives way to the hypervolume
    assert.match(
      await page.getByTestId('front-card').locator('.v').textContent(),
      new RegExp(`^${two.front.length}\\s+trials$`),
    );
    assert.equal(
      (await page.getByTestId('feasible-card').locator('.v').textContent()).replace(/\s+/g, ''),
      `${two.numbers.length - two.infeasible.length}/${two.numbers.length}`,
    );
    assert.equal(await page.locator('#convergence').count(), 0);
    const hv = page.locator('#hypervolume .chart[data-ready="true"]');
    await hv.waitFor();
    assert.equal(Number(await hv.getAttribute('data-points')), two.numbers.length);
    assert.ok(Math.abs(Number(await hv.getAttribute('data-last')) - two.hv) < 1e-9 * Math.max(1, two.hv));
    await page
      .locator('#hypervolume')
      .getByText(/the study's/)
      .waitFor();

    // the table: a column per objective and constraint, feasible yes/no, the front marked, sortable
    const table = page.getByRole('table', { name: 'Trials' });
    for (const name of ['val_loss', 'latency_ms', 'memory_over', 'Feasible'])
      await table.getByRole('columnheader', { name }).waitFor();
    const rowOf = (n) =>
      table
        .getByRole('row')
        .filter({ has: page.getByRole('link', { name: `Open trial ${n}`, exact: true }) });
    for (const n of two.infeasible) await rowOf(n).locator('[data-col="feasible"]').getByText('no').waitFor();
    for (const n of two.front) await rowOf(n).getByText('front', { exact: true }).waitFor();
    await table.getByRole('columnheader', { name: 'latency_ms' }).getByRole('button').click();
    const byLatency = [...two.numbers].sort(
      (a, b) => TWO.told[two.numbers.indexOf(a)][0][1] - TWO.told[two.numbers.indexOf(b)][0][1],
    );
    const shown = async () =>
      (await table.getByRole('link', { name: /^Open trial/ }).allTextContents()).map((s) =>
        Number(s.slice(1)),
      );
    await waitFor(async () => (await shown()).join() === byLatency.join(), { what: 'rows by latency' });
    assert.equal(
      await table.getByRole('columnheader', { name: 'latency_ms' }).getAttribute('aria-sort'),
      'ascending',
    );
    await table.getByRole('columnheader', { name: 'latency_ms' }).getByRole('button').click();
    await waitFor(async () => (await shown()).join() === [...byLatency].reverse().join(), {
      what: 'rows by latency, descending',
    });
    assert.equal(new URL(page.url()).searchParams.get('tsort'), 'obj:1');

    // every chart that shows trials tells the infeasible ones apart
    await passOver(page);
    const parallel = await chartSeries(page, 'parallel');
    assert.deepEqual(numbersOf(parallel, 'Infeasible', 'parallel'), two.infeasible);
    const slices = await chartSeries(page, 'slice-grid');
    assert.deepEqual([...new Set(numbersOf(slices, 'Infeasible'))], two.infeasible);
    const contour = await chartSeries(page, 'contour');
    assert.deepEqual(numbersOf(contour, 'Infeasible'), two.infeasible);
    await ctx.close();
  });

  it('3 objectives: a pairwise scatter matrix with the same front in every panel', async () => {
    for (const size of SIZES) {
      const ctx = await context({ size });
      const page = await openStudy(ctx, three.id, 'pareto three');
      const chart = page.locator('#pareto .chart[data-ready="true"]');
      await chart.waitFor();
      assert.equal(await chart.getAttribute('data-panels'), '3');
      const series = await chartSeries(page, 'pareto');
      const fronts = series.filter((s) => s.name === 'Pareto front');
      assert.equal(fronts.length, 3, 'one front series per pair');
      for (const s of fronts)
        assert.deepEqual(
          s.data.map((d) => d[2]).sort((a, b) => a - b),
          three.front,
          `front in panel ${s.id}`,
        );
      // each panel plots its own pair: #0's (size, accuracy) in the panel of objectives 1 and 2
      const [loss0, size0, acc0] = THREE.told[0];
      const panels = series.filter((s) => s.type === 'scatter' && s.name !== 'Selected');
      const all = panels.flatMap((s) =>
        s.data.filter((d) => d[2] === three.numbers[0]).map((d) => `${d[0]},${d[1]}`),
      );
      for (const pair of [`${loss0},${size0}`, `${loss0},${acc0}`, `${size0},${acc0}`])
        assert.ok(all.includes(pair), `trial #0 drawn at ${pair} (${all.join(' ')})`);
      // phones stack the panels: the grids are one above another
      const grids = await chart.evaluate((el) =>
        el
          .querySelector('.chart-canvas')
          .__posteriorChart.getOption()
          .grid.map((g) => ({ left: g.left, top: g.top })),
      );
      if (size.name === 'phone') assert.equal(new Set(grids.map((g) => g.top)).size, 3, 'stacked');
      else assert.equal(new Set(grids.map((g) => g.top)).size, 2, 'a lower triangle');
      assert.match(
        await page.getByTestId('front-card').locator('.v').textContent(),
        new RegExp(`^${three.front.length}\\s+trials$`),
      );
      await page.locator('#hypervolume .chart[data-ready="true"]').waitFor();
      assert.equal(
        await page
          .getByRole('table', { name: 'Trials' })
          .getByRole('columnheader', { name: 'accuracy' })
          .count(),
        1,
      );
      await ctx.close();
    }
  });

  it('the new-study form creates a study with two objectives, a constraint and a reference point', async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(`${env.stack.web.url}/teams/${owner.teamId}/studies/new`);
    await page.getByRole('heading', { name: 'New study', exact: true }).waitFor();
    await page.getByLabel('Study name').fill('pareto from the form');
    await page.getByLabel('Objective metric').fill('val_loss');
    await page.getByRole('button', { name: '+ objective' }).click();
    await page.getByRole('button', { name: '+ constraint' }).click();
    // a name the form checks itself, and a reference point of the wrong length
    await page.getByLabel('Reference point (optional)').fill('1');
    await page.getByRole('button', { name: 'Create study' }).click();
    await page.locator('#objectives\\.1\\.name-error').waitFor();
    await page
      .locator('#referencePoint-error')
      .getByText(/One number per objective \(2\)/)
      .waitFor();
    await page.getByLabel('Objective 2 metric').fill('latency_ms');
    await page.getByLabel('Objective 2 direction').selectOption('MAXIMIZE');
    await page.getByLabel('Constraint 1 metric').fill('memory_over');
    await page.getByLabel('Reference point (optional)').fill('2, 0');
    const p0 = page.getByRole('group', { name: 'Parameter 1' });
    await p0.getByLabel('Low').fill('0.001');
    await p0.getByLabel('High').fill('0.1');
    await page.screenshot({ path: join(shots, 'new-study-form.png'), fullPage: true });
    await page.getByRole('button', { name: 'Create study' }).click();
    await page.waitForURL(/\/studies\/[^/]+$/);
    await page.getByRole('heading', { name: 'pareto from the form', exact: true }).waitFor();
    const id = page.url().split('/').at(-1);
    const created = await owner.client.study(id);
    assert.deepEqual(
      created.objectives.map((o) => [o.name, o.direction]),
      [
        ['val_loss', 'MINIMIZE'],
        ['latency_ms', 'MAXIMIZE'],
      ],
    );
    assert.deepEqual(
      created.constraints.map((c) => c.name),
      ['memory_over'],
    );
    assert.deepEqual(created.referencePoint, { values: [2, 0], source: 'STUDY' });
    await page.getByTestId('study-objectives').getByText('memory_over').waitFor();
    await ctx.close();
  });

  for (const theme of ['light', 'dark']) {
    it(`no overflow and no serious axe violation at 1440 and 390 px (${theme} theme); screenshots`, async () => {
      const failures = [];
      for (const size of SIZES) {
        const ctx = await context({ theme, size });
        for (const [id, name, file] of [
          [two.id, 'pareto two', 'two'],
          [three.id, 'pareto three', 'three'],
        ]) {
          const page = await openStudy(ctx, id, name);
          await page.locator('#pareto .chart[data-ready="true"]').waitFor();
          await passOver(page);
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - window.innerWidth,
          );
          if (overflow > 0)
            failures.push(`${file} ${size.name} ${theme}: ${overflow} px wider than the screen`);
          for (const v of await axeFindings(page))
            failures.push(`${file} ${size.name} ${theme}: ${JSON.stringify(v)}`);
          await page.screenshot({ path: join(shots, `${file}-${size.name}-${theme}.png`), fullPage: true });
          await page.close();
        }
        await ctx.close();
      }
      assert.deepEqual(failures, []);
    });
  }
});
