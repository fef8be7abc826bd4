import type { Params } from '../../trial-handle.js';
import type { HeadParams } from './model.js';

/** A `when` condition (docs/DESIGN.md section 3): active while `parent` takes one of `values`. */
export interface ActiveWhen {
  readonly parent: string;
  readonly values: readonly (string | number | boolean)[];
}

/** One entry of a search space (docs/DESIGN.md section 3). */
export type SearchSpaceEntry =
  | {
      readonly name: string;
      readonly type: 'float' | 'int';
      readonly low: number;
      readonly high: number;
      readonly log?: boolean;
      readonly step?: number;
      readonly when?: ActiveWhen;
    }
  | {
      readonly name: string;
      readonly type: 'categorical';
      readonly choices: readonly (string | number | boolean)[];
      readonly when?: ActiveWhen;
    };

/**
 * The demo study's space (docs/DESIGN.md section 7). Ranges are sized so that a trial takes seconds on one
 * core: batch 16 is left out (it triples the time per epoch for no gain on 4,000 samples).
 */
export const transferLearningSearchSpace = [
  { name: 'lr', type: 'float', low: 1e-4, high: 3e-2, log: true },
  { name: 'decay', type: 'float', low: 1e-3, high: 0.5, log: true },
  { name: 'dropout', type: 'float', low: 0, high: 0.5, step: 0.05 },
  { name: 'units1', type: 'int', low: 32, high: 256, log: true },
  { name: 'units2', type: 'int', low: 16, high: 128, log: true },
  { name: 'units3', type: 'int', low: 8, high: 64, log: true },
  { name: 'l2', type: 'float', low: 1e-6, high: 1e-2, log: true },
  { name: 'batch', type: 'categorical', choices: [32, 64, 128, 256] },
] as const satisfies readonly SearchSpaceEntry[];

/**
 * The conditional variant (issue 18): the head has `layers` dense layers, 1-3, and the units of a
 * layer are a parameter only while that layer exists. Same ranges as the fixed space otherwise.
 */
export const conditionalTransferLearningSearchSpace = [
  { name: 'lr', type: 'float', low: 1e-4, high: 3e-2, log: true },
  { name: 'decay', type: 'float', low: 1e-3, high: 0.5, log: true },
  { name: 'dropout', type: 'float', low: 0, high: 0.5, step: 0.05 },
  { name: 'layers', type: 'int', low: 1, high: 3 },
  { name: 'units1', type: 'int', low: 32, high: 256, log: true },
  { name: 'units2', type: 'int', low: 16, high: 128, log: true, when: { parent: 'layers', values: [2, 3] } },
  { name: 'units3', type: 'int', low: 8, high: 64, log: true, when: { parent: 'layers', values: [3] } },
  { name: 'l2', type: 'float', low: 1e-6, high: 1e-2, log: true },
  { name: 'batch', type: 'categorical', choices: [32, 64, 128, 256] },
] as const satisfies readonly SearchSpaceEntry[];

/** Used for any hyperparameter a study leaves out of its space. */
export const DEFAULT_HEAD_PARAMS: HeadParams = {
  lr: 1e-3,
  decay: 0.05,
  dropout: 0.2,
  units1: 128,
  units2: 64,
  units3: 32,
  l2: 1e-4,
  batch: 64,
};

/** Reads the head's hyperparameters from a trial, rejecting values the model cannot use. */
export function parseHeadParams(params: Params): HeadParams {
  const num = (
    name: Exclude<keyof HeadParams, 'layers'>,
    ok: (v: number) => boolean,
    rule: string,
  ): number => {
    const raw = params[name];
    if (raw === undefined) return DEFAULT_HEAD_PARAMS[name];
    const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
      throw new Error(`transfer-learning: param ${name}=${JSON.stringify(raw)} must be ${rule}`);
    }
    return value;
  };
  const positiveInt = (v: number) => Number.isInteger(v) && v >= 1;
  const head: HeadParams = {
    lr: num('lr', (v) => v > 0 && v < 10, 'a number in (0, 10)'),
    decay: num('decay', (v) => v >= 0, 'a number >= 0'),
    dropout: num('dropout', (v) => v >= 0 && v < 1, 'a number in [0, 1)'),
    units1: num('units1', positiveInt, 'an integer >= 1'),
    units2: num('units2', positiveInt, 'an integer >= 1'),
    units3: num('units3', positiveInt, 'an integer >= 1'),
    l2: num('l2', (v) => v >= 0, 'a number >= 0'),
    batch: num('batch', positiveInt, 'an integer >= 1'),
  };
  if (params.layers === undefined) return head;
  const layers = Number(params.layers);
  if (!Number.isInteger(layers) || layers < 1 || layers > 3) {
    throw new Error(`transfer-learning: param layers=${JSON.stringify(params.layers)} must be 1, 2 or 3`);
  }
  return { ...head, layers };
}

/** The units of the head's dense layers, in order: `layers` of them (three by default). */
export function headUnits(p: HeadParams): number[] {
  return [p.units1, p.units2, p.units3].slice(0, p.layers ?? 3);
}

/** `1.2e-3`, `0.05`, `128`: short, and stable for a given value. */
export function formatParam(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e6) return String(value);
  const abs = Math.abs(value);
  if (abs >= 0.01 && abs < 1000) return String(Number(value.toPrecision(2)));
  return value.toExponential(1).replace('.0e', 'e').replace('e+', 'e');
}

/** e.g. `trial-3_lr=1.2e-3_decay=0.05_dropout=0.25_u1=128_u2=64_u3=32_l2=1e-4_bs=64.json`. */
export function checkpointFileName(trialNumber: number, p: HeadParams): string {
  const parts = [
    `trial-${trialNumber}`,
    `lr=${formatParam(p.lr)}`,
    `decay=${formatParam(p.decay)}`,
    `dropout=${formatParam(p.dropout)}`,
    // Only the layers the head has: a 2-layer head's name carries no u3.
    ...headUnits(p).map((u, i) => `u${i + 1}=${u}`),
    `l2=${formatParam(p.l2)}`,
    `bs=${p.batch}`,
  ];
  // Only characters that are safe in file names and URLs on every platform.
  return `${parts.join('_').replace(/[^A-Za-z0-9._=-]/g, '_')}.json`;
}
