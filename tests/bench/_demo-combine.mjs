#!/usr/bin/env node
// Pairs the studies of several demo.mjs JSON files (runs split by --first-seed / --seeds to use
// more of a machine at once) by seed, and prints the per-seed table and the exact Wilcoxon
// signed-rank test demo.mjs prints for one file, for the first sampler against each other one.
//   node tests/bench/_demo-combine.mjs bench-results/demo-a.json bench-results/demo-b.json ...
import { readFileSync } from 'node:fs';
import { wilcoxonSignedRank } from '@posterior/optimizer';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node tests/bench/_demo-combine.mjs <demo.json> [...]');
  process.exit(2);
}
const runs = files.flatMap((f) => JSON.parse(readFileSync(f, 'utf8')).runs);
const samplers = [...new Set(runs.map((r) => r.sampler))];
const done = (sampler, seed) =>
  runs.find(
    (r) => r.sampler === sampler && r.seed === seed && r.state === 'DONE' && Number.isFinite(r.bestValLoss),
  );
const seeds = [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (v) => (Number.isFinite(v) ? v.toFixed(4) : '-');
console.log(`| seed | ${samplers.map((s) => `${s} best val_loss (C/P/F)`).join(' | ')} |`);
console.log(`|---|${samplers.map(() => '---').join('|')}|`);
for (const seed of seeds) {
  const cells = samplers.map((s) => {
    const r = done(s, seed);
    const c = r?.trialCounts ?? {};
    return r ? `${fmt(r.bestValLoss)} (${c.COMPLETE ?? 0}/${c.PRUNED ?? 0}/${c.FAILED ?? 0})` : '-';
  });
  console.log(`| ${seed} | ${cells.join(' | ')} |`);
}
const [first, ...others] = samplers;
console.log('');
console.log(
  '| paired (same seed) | pairs | first better | median first | median second | median difference | W+ | p (first lower, one-sided) | p (two-sided) |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const other of others) {
  const pairs = seeds
    .map((seed) => ({ a: done(first, seed), b: done(other, seed) }))
    .filter((p) => p.a && p.b)
    .map((p) => ({ a: p.a.bestValLoss, b: p.b.bestValLoss }));
  const t = wilcoxonSignedRank(pairs.map((p) => p.a - p.b));
  console.log(
    `| ${first} vs ${other} | ${pairs.length} | ${pairs.filter((p) => p.a < p.b).length} | ${fmt(median(pairs.map((p) => p.a)))} | ${fmt(median(pairs.map((p) => p.b)))} | ${fmt(median(pairs.map((p) => p.a - p.b)))} | ${t.wPlus} | ${t.pLess.toFixed(4)} | ${t.pTwoSided.toFixed(4)} (${t.method}) |`,
  );
}
