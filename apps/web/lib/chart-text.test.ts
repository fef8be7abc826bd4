import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { escapeHtml, guardChartOption, TooltipHtml, tooltipHtml, tooltipMarkup } from './chart-text.ts';
import { convergenceTooltip, learningCurveTooltip, predictedTooltip } from './chart-tooltips.ts';
import { contourTooltip, edfTooltip, sliceGridTooltip } from './hpo-tooltips.ts';

const IMG = '<img src=x onerror=window.__xss=1>';
const SCRIPT = '"><script>window.__xss=2</script>';

/** Only the tooltips' own markup (<br/>, <b>) is HTML: no other tag, no quote to break out of one. */
function assertInert(html: string): void {
  assert.doesNotMatch(html.replace(/<br\/>|<\/?b>/g, ''), /[<>"']/, html);
}

describe('escapeHtml', () => {
  it('turns every markup character into an entity', () => {
    assert.equal(
      escapeHtml(`<a href="x" title='y'>&\`</a>`),
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;',
    );
    assert.equal(escapeHtml('learning_rate'), 'learning_rate');
  });
});

describe('tooltipHtml', () => {
  it('escapes every interpolated value and keeps the literal markup', () => {
    const out = tooltipHtml`Trial #${3}<br/>${IMG} = <b>${SCRIPT}</b>`;
    assert.ok(out instanceof TooltipHtml);
    assert.equal(
      out.html,
      'Trial #3<br/>&lt;img src=x onerror=window.__xss=1&gt; = <b>&quot;&gt;&lt;script&gt;window.__xss=2&lt;/script&gt;</b>',
    );
  });

  it('keeps a nested tooltipHtml result as markup, escaped once', () => {
    const inner = tooltipHtml`<b>${'<i>'}</b>`;
    assert.equal(tooltipHtml`x ${inner}`.html, 'x <b>&lt;i&gt;</b>');
  });

  it('cannot be forged with the constructor', () => {
    assert.throws(() => new TooltipHtml('<img>', Symbol('tooltipHtml') as never), TypeError);
  });
});

describe('guardChartOption', () => {
  const raw = (p: unknown) => `${(p as { name: string }).name}<br/>`;

  it('renders a formatter that returns a plain string as text', () => {
    const option = guardChartOption({ tooltip: { trigger: 'item', formatter: raw } });
    const f = option.tooltip.formatter as (p: unknown) => string;
    assert.equal(f({ name: IMG }), '&lt;img src=x onerror=window.__xss=1&gt;&lt;br/&gt;');
    assert.equal(option.tooltip.trigger, 'item');
  });

  it('keeps tooltipHtml markup from a formatter', () => {
    const option = guardChartOption({ tooltip: { formatter: (p: unknown) => tooltipHtml`<b>${p}</b>` } });
    assert.equal(
      (option.tooltip.formatter as unknown as (p: unknown) => string)(SCRIPT),
      `<b>${escapeHtml(SCRIPT)}</b>`,
    );
  });

  it('guards tooltips of series, components and arrays of tooltips, and leaves the rest alone', () => {
    const option = guardChartOption({
      tooltip: [{ formatter: raw }],
      series: [{ type: 'scatter', name: IMG, tooltip: { formatter: raw } }, { type: 'line' }],
      legend: { tooltip: { show: true, formatter: raw } },
      xAxis: { name: IMG, axisLabel: { formatter: (v: number) => String(v) } },
      animation: false,
    });
    for (const f of [
      option.tooltip[0]?.formatter,
      option.series[0]?.tooltip?.formatter,
      option.legend.tooltip.formatter,
    ]) {
      assertInert((f as (p: unknown) => string)({ name: IMG }));
    }
    // Canvas text (axis names and labels, legends, series names) is not HTML: left as given.
    assert.equal(option.xAxis.name, IMG);
    assert.equal(option.series[0]?.name, IMG);
    assert.deepEqual(option.series[1], { type: 'line' });
    assert.equal(option.animation, false);
  });

  it('leaves template-string formatters to echarts (which escapes their values) and is idempotent', () => {
    const option = guardChartOption({ tooltip: { formatter: '{b}: {c}' } });
    assert.equal(option.tooltip.formatter, '{b}: {c}');
    const once = guardChartOption({ tooltip: { formatter: raw } });
    const twice = guardChartOption(once);
    assert.equal(twice.tooltip.formatter, once.tooltip.formatter);
  });

  it('shows nothing for an empty answer', () => {
    assert.equal(tooltipMarkup(undefined), '');
    assert.equal(tooltipMarkup(''), '');
  });
});

describe('chart tooltips with hostile names', () => {
  it('slice grid: parameter, objective and categorical choice are text', () => {
    const tip = sliceGridTooltip(SCRIPT, ['lr', IMG]);
    const categorical = tip({ seriesId: 'points:1', seriesName: SCRIPT, data: [SCRIPT, 0.5, 7] });
    assertInert(categorical);
    assert.match(categorical, /^Trial #7<br\/>&lt;img/);
    assertInert(tip({ seriesId: 'points:0', seriesName: SCRIPT, data: [0.25, 1, 2] }));
    const failed = tip({ seriesId: 'failed:1', seriesName: 'Failed', data: [SCRIPT, 'failed', 3] });
    assertInert(failed);
    assert.match(failed, /^Trial #3 failed<br\/>&lt;img/);
  });

  it('contour and EDF: parameter and objective names are text', () => {
    const c = contourTooltip(IMG, SCRIPT, IMG)({ data: [1, 2, 3, 4] });
    assertInert(c);
    assert.match(c, /^Trial #4<br\/>&lt;img/);
    assert.equal(contourTooltip('x', 'y', 'loss')({ data: [1, 2, 3, 4, 5] }), '', 'not a trial point');
    const e = edfTooltip(SCRIPT)({ data: [0.5, 0.25] });
    assertInert(e);
    assert.match(e, /^25% of trials have/);
  });

  it('convergence, learning curves, predicted: series names are text', () => {
    assertInert(convergenceTooltip({ seriesName: IMG, data: [1, 2] }));
    assertInert(learningCurveTooltip({ seriesName: SCRIPT, data: [1, 2] }));
    const predicted = predictedTooltip({ seriesName: 'Trials', data: [1, 2, 3, 0.1] });
    assert.match(predicted, /^Trial #3<br\/>predicted 1 ± 0\.196<br\/>actual <b>2<\/b>$/);
    assert.equal(predictedTooltip({ seriesName: 'y = x', data: [1, 2, 3, 0.1] }), '');
    // The chart's guard leaves them as they are (no double escaping of their markup).
    const option = guardChartOption({ tooltip: { formatter: convergenceTooltip } });
    assert.equal(option.tooltip.formatter, convergenceTooltip);
  });
});

describe('one chart component', () => {
  const componentsDir = fileURLToPath(new URL('../components/', import.meta.url));
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
    );

  it('every echarts instance is made and fed by components/charts/echart.tsx (which guards options)', () => {
    const all = files(componentsDir);
    assert.ok(all.length > 10, `found the components (${all.length} files)`);
    const offenders = all.filter((f) => {
      if (f.endsWith(join('charts', 'echart.tsx'))) return false;
      const src = readFileSync(f, 'utf8');
      return /echarts\.init\(|\.setOption\(|renderMode\s*:/.test(src);
    });
    assert.deepEqual(offenders, []);
    const echart = readFileSync(join(componentsDir, 'charts', 'echart.tsx'), 'utf8');
    const setOptions = echart.match(/\.setOption\(\s*([^,]+)/g) ?? [];
    assert.ok(setOptions.length >= 2);
    for (const call of setOptions) assert.match(call, /guardChartOption\(/, call);
  });

  it('no chart writes a tooltip formatter as an inline template literal (use lib/chart-tooltips)', () => {
    const inline = files(join(componentsDir, 'charts')).filter((f) =>
      /formatter:\s*\([^)]*\)\s*=>\s*\{?[^}]*`[^`]*</.test(readFileSync(f, 'utf8')),
    );
    assert.deepEqual(inline, []);
  });
});
