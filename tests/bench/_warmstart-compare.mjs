#!/usr/bin/env node
// Side-by-side warm-start comparison (docs/DESIGN.md 6e): two JSON files of tests/bench/warmstart.mjs
// (baseline, candidate; same seeds, e.g. both with the same --cache) paired by seed per function and
// arm: at 20/25/30/50 trials, how many seeds the candidate is better (+) and worse (-) on, and the
// two-sided Wilcoxon signed-rank p on log regret; then the trials each needs to the cold start's
// 50-trial median.
//   node tests/bench/_warmstart-compare.mjs base.json candidate.json
import { readFileSync } from 'node:fs';
import { wilcoxonSignedRank } from '@posterior/optimizer';

const [baseFile, candidateFile] = process.argv.slice(2);
if (!baseFile || !candidateFile) {
  console.error('usage: node tests/bench/_warmstart-compare.mjs base.json candidate.json');
  process.exit(2);
}
const base = JSON.parse(readFileSync(baseFile, 'utf8'));
const candidate = JSON.parse(readFileSync(candidateFile, 'utf8'));
const log = (v) => Math.log(Math.max(v, 1e-12));
for (const rb of base.results) {
  const rc = candidate.results.find((r) => r.function === rb.function);
  if (!rc) continue;
  for (const arm of Object.keys(rb.curves).filter((a) => a !== 'cold' && rc.curves[a])) {
    const seeds = Math.min(rb.curves[arm].length, rc.curves[arm].length);
    const cells = [20, 25, 30, 50]
      .filter((k) => k <= (rb.curves[arm][0]?.length ?? 0))
      .map((k) => {
        const d = Array.from(
          { length: seeds },
          (_, i) => log(rc.curves[arm][i][k - 1]) - log(rb.curves[arm][i][k - 1]),
        );
        const better = d.filter((x) => x < 0).length;
        const worse = d.filter((x) => x > 0).length;
        return `@${k} +${better}/-${worse} p=${wilcoxonSignedRank(d).pTwoSided.toFixed(3)}`;
      });
    const needed = (r) => r.needed[arm] ?? '>50';
    console.log(`${rb.function} ${arm}: ${cells.join(' | ')}; needed ${needed(rb)} -> ${needed(rc)}`);
  }
}
