import { mixSeed } from './rng.js';

/**
 * Seeds of a study's suggestions. The server and the benchmark harness both go through these two
 * functions, so a benchmark measures exactly what the server does with the same study seed and
 * history.
 *
 * A study's seed scrambles its space-filling design (`SamplerConfig.seed`); each suggestion then
 * draws from its own stream, `trialSeed(studySeed, trialNumber)`.
 */

/**
 * The seed of a study: the configured one, else one derived from the study's id, so two unseeded
 * studies never share their initial design (they did when both fell back to seed 0).
 */
export function studySeed(configured: number | undefined, studyId: string): number {
  if (configured !== undefined) return configured;
  // FNV-1a over the UTF-16 code units of the id, then mixed once more: ids that differ in one
  // character give unrelated seeds.
  let h = 0x811c9dc5;
  for (let i = 0; i < studyId.length; i++) {
    h ^= studyId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mixSeed(h >>> 0, studyId.length);
}

/** The per-suggestion seed of trial `trialNumber` (0-based) of a study with seed `study`. */
export function trialSeed(study: number, trialNumber: number): number {
  return mixSeed(study, trialNumber, 0x7e1a);
}
