// Offline check on the demo studies' own trials (parsed from the worker logs): how well the GP ranks
// held-out configurations with the values as they are and with log(val_loss). Not a bench.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as lib from '@posterior/optimizer';
import { transferLearningSearchSpace } from '@posterior/runner';

const dirs = readdirSync('bench-results').filter((d) => d.startsWith('demo-capped') && d.endsWith('-logs'));
const trials = [];
for (const d of dirs)
  for (const f of readdirSync(join('bench-results', d)).filter((f) => /seed/.test(f))) {
    const t = readFileSync(join('bench-results', d, f), 'utf8');
    const params = {};
    for (const m of t.matchAll(
      /trial (\d+) lr=([\d.e-]+) decay=([\d.e-]+) dropout=([\d.e-]+) units=(\d+)\/(\d+)\/(\d+) l2=([\d.e-]+) batch=(\d+)/g,
    ))
      params[m[1]] = {
        lr: +m[2],
        decay: +m[3],
        dropout: +m[4],
        units1: +m[5],
        units2: +m[6],
        units3: +m[7],
        l2: +m[8],
        batch: +m[9],
      };
    for (const m of t.matchAll(
      /trial (\d+) (pruned|early-stopped|completed) after (\d+) epochs.*best val_loss ([\d.]+)/g,
    ))
      if (params[m[1]]) trials.push({ params: params[m[1]], value: +m[4], pruned: m[2] === 'pruned' });
  }
const complete = trials.filter((t) => !t.pruned);
console.log(`${trials.length} trials, ${complete.length} complete`);
const spearman = (a, b) => {
  const rank = (x) => {
    const o = x.map((v, i) => [v, i]).sort((p, q) => p[0] - q[0]);
    const r = [];
    o.forEach(([, i], k) => {
      r[i] = k;
    });
    return r;
  };
  const ra = rank(a),
    rb = rank(b);
  const n = a.length;
  let d = 0;
  for (let i = 0; i < n; i++) d += (ra[i] - rb[i]) ** 2;
  return 1 - (6 * d) / (n * (n * n - 1));
};
let rng = 1;
const rand = () => {
  rng = (rng * 48271) % 2147483647;
  return rng / 2147483647;
};
for (const variant of [
  'as is',
  'log',
  'unflagged',
  'excluded',
  'log excluded',
  'median cap',
  'log median cap',
]) {
  const rhos = [],
    hits = [];
  rng = 1;
  for (let rep = 0; rep < 60; rep++) {
    // A study-sized sample: 30 trials (pruned ones included) to fit, the rest of the complete ones to rank.
    const idx = trials.map((_, i) => i).sort(() => rand() - 0.5);
    const train = idx.slice(0, 30).map((i) => trials[i]);
    const test = idx
      .slice(30)
      .map((i) => trials[i])
      .filter((t) => !t.pruned);
    const f = (v) => (variant.startsWith('log') ? Math.log(v) : v);
    let completed = train.map((t) => ({
      params: t.params,
      value: f(t.value),
      pruned: variant === 'unflagged' ? undefined : t.pruned,
    }));
    if (variant.endsWith('excluded')) completed = completed.filter((t) => !t.pruned);
    if (variant.endsWith('median cap')) {
      const vals = completed
        .filter((t) => !t.pruned)
        .map((t) => t.value)
        .sort((a, b) => a - b);
      const med = vals[Math.floor(vals.length / 2)];
      completed = completed.map((t) =>
        t.pruned ? { ...t, value: Math.min(t.value, med), pruned: undefined } : t,
      );
    }
    const s = lib.fitSurrogate(
      { type: 'gp' },
      { space: transferLearningSearchSpace, direction: 'MINIMIZE', completed, pending: [], seed: 0 },
    );
    const pred = s.predict(test.map((t) => t.params)).map((p) => p.mean);
    rhos.push(
      spearman(
        pred,
        test.map((t) => t.value),
      ),
    );
    // Of the 10% best held-out configurations, how many are in the model's top 10%?
    const k = Math.max(1, Math.floor(test.length / 10));
    const bestTrue = new Set(
      test
        .map((t, i) => [t.value, i])
        .sort((a, b) => a[0] - b[0])
        .slice(0, k)
        .map((p) => p[1]),
    );
    const bestPred = pred
      .map((v, i) => [v, i])
      .sort((a, b) => a[0] - b[0])
      .slice(0, k)
      .map((p) => p[1]);
    hits.push(bestPred.filter((i) => bestTrue.has(i)).length / k);
  }
  const mean = (x) => x.reduce((a, b) => a + b, 0) / x.length;
  console.log(
    `${variant}: held-out Spearman ${mean(rhos).toFixed(3)}, top-10% overlap ${mean(hits).toFixed(3)} (60 samples of 30 trials, the same for every variant)`,
  );
}
