import type { Direction } from '@posterior/core';
import type { AcquisitionName } from './acquisition.js';
import { ACQUISITION_NAMES } from './acquisitions/registry.js';
import type { ConditionalEncodingKind } from './conditional-encoding.js';
import { ConfigError } from './errors.js';
import type { KernelKind } from './kernel.js';

export type { Direction };
export type SamplerType = 'random' | 'qmc' | 'gp';

/**
 * Sampler configuration (the study's `sampler` JSON). Options other than `type` and `seed` apply to
 * the GP sampler; omitted ones take the defaults in GP_DEFAULTS, so `{ type: 'gp' }` is complete.
 */
export interface SamplerConfig {
  type: SamplerType;
  /**
   * Study-level seed: scrambles the QMC designs; the per-suggestion seed comes with the request
   * (`trialSeed`). The server fills it from the study id when the study sets none (`studySeed`).
   */
  seed?: number;
  /** Completed trials before the GP takes over from the space-filling design. */
  nStartupTrials?: number;
  kernel?: KernelKind;
  acquisition?: AcquisitionName;
  /** Exploration margin of (log) EI and PI, in standard deviations of the observed values. */
  xi?: number;
  /** UCB weight: mean + sqrt(beta) * std. */
  beta?: number;
  /** Lower bound on the GP noise variance, as a fraction of the observed variance. */
  noiseFloor?: number;
  /** Fix the noise at the floor: for objectives known to be noise-free. */
  deterministic?: boolean;
  /** QMC candidates scored before the gradient search of the acquisition. */
  candidates?: number;
  /** Power-transform the observed values (Yeo-Johnson, fitted) before the GP sees them. */
  outputWarping?: 'yeo-johnson' | 'none';
  /**
   * Where the GP's noise has constant size under output warping: `warped` (default; model misfit
   * and noise alike, where the warp makes the targets Gaussian) or `objective` (observation noise
   * of one size in objective units, so the warp neither shrinks nor stretches it: for objectives
   * known to be noisy).
   */
  noiseUnits?: 'warped' | 'objective';
  /**
   * Also start each hyperparameter fit from the previous fit in this process. Faster to converge,
   * but results may then differ between processes; off by default.
   */
  warmStart?: boolean;
  /**
   * How the GP sees a conditional search space (conditional-encoding.ts): `imputed` (default:
   * inactive parameters at model coordinates fitted with the hyperparameters, conditional-fit.ts),
   * `category`, `indicator`, `arc`, or `padded` (inactive parameters at a fixed value; the
   * benchmark's baseline). No effect on spaces without `when` conditions.
   */
  conditionalEncoding?: ConditionalEncodingKind;
  /**
   * Thompson sampling in low dimensions: every `thompsonEvery`-th model suggestion maximizes a draw
   * from the GP posterior instead of the acquisition (0: never), in spaces of at most
   * `thompsonMaxDim` continuous parameters (thompson.ts).
   */
  thompsonEvery?: number;
  thompsonMaxDim?: number;
  /**
   * Stall-triggered Thompson sampling, in the same spaces as thompsonEvery: a model suggestion
   * maximizes a posterior draw when the best value has gone k, 2k, 3k, ... completed trials without
   * improving (0: never). Exploitation runs while it pays; exploration when it has stopped paying.
   */
  thompsonStall?: number;
  /**
   * The acquisition's incumbent: the best observed target (`observed`), the best posterior mean
   * at an observed point (`mean`), which a lucky noisy draw does not inflate, or the best observed
   * target with each capped at one fitted noise std above the posterior mean at its point
   * (`capped`: the observed value when noise is negligible); `auto` (default): the mean where
   * Thompson steps explore (see thompsonEvery), capped values elsewhere.
   */
  incumbent?: 'auto' | 'observed' | 'mean' | 'capped';
  /**
   * Re-evaluate the incumbent (the best observed configuration) once when the model says noise
   * dominates what is left to gain: its fitted noise std exceeds the best expected improvement
   * anywhere. The replicate is averaged with the first value by the GP (and so by `recommend`).
   * Off by default (docs/DESIGN.md, "Re-evaluation").
   */
  replicateIncumbent?: boolean;
  /**
   * Upper bound of the GP noise variance, as a fraction of the observed variance, while no point has
   * been evaluated twice (0: none; default 0.01, subject to `noiseCapTest`). See model.ts noiseCeiling().
   */
  noiseCap?: number;
  /**
   * Whether a fit is capped (`noiseCap`) only when that predicts better: `loo` (default) fits the
   * free-noise and the capped model and keeps the one with the higher leave-one-out log predictive
   * density, so noise that is real (the capped model then interpolates it and predicts held-out
   * points badly) keeps its free fit; `none` caps every fit without replicates.
   */
  noiseCapTest?: 'loo' | 'none';
  /**
   * Score the next observation instead of the latent value: (log) EI and the other acquisitions see
   * the posterior variance plus the fitted noise. For noise-free objectives whose fitted noise is
   * structure finer than the observations resolve (each new evaluation is then a fresh draw of it,
   * and the observed value is what is kept); wrong for truly noisy objectives, where it chases lucky
   * draws. Off by default (docs/DESIGN.md section 6).
   */
  observationEi?: boolean;
  /**
   * Warm-started studies: while the guard accepts a source, condition the study's own GP on the
   * sources' trials mapped through the transfer model, with no handover at 20 observations
   * (docs/DESIGN.md 6e). Off by default.
   */
  warmStartRows?: boolean;
  /**
   * Warm-started studies (guarded model): once the transfer is confirmed (the guard accepts a source
   * with a positive scale, the study's best trial lies near that source's best trial mapped through
   * the learned shift, and enough of the study's trials lie there), refine with the study's own GP
   * whose acquisition is searched only in a box around the best trial (transfer-refine.ts,
   * docs/DESIGN.md 6e).
   */
  warmStartRefine?: boolean;
  /**
   * The warm-start model (docs/DESIGN.md 6e): `guarded` (default: the source mean as prior mean
   * behind a log-evidence guard, transfer.ts) or `coregional` (opt-in: a multi-task GP over sources
   * and target with a learned inter-task correlation and shift, used while it wins a two-fold
   * cross-validation against the target's own GP, transfer-coregional.ts).
   */
  warmStartModel?: 'coregional' | 'guarded';
  /**
   * In 2-4 dimensions, also fit an additive kernel (a sum of one-dimensional kernels, each with its
   * own lengthscale and share of the signal variance) and keep it when its leave-one-out log
   * predictive density beats the product kernel's (model.ts fitAdditive). Off by default
   * (docs/DESIGN.md section 6).
   */
  additiveKernel?: 'off' | 'loo';
  /**
   * Model trust in 2-4 continuous dimensions, from 20 to 127 observations (model-trust.ts): when
   * the fit calls more than 1% of the variance noise (no replicates show it) and its leave-one-out
   * predictions rank the observations with a Spearman correlation below `modelTrustMin` (default
   * 0.45), the function is too rugged for the GP at this many points and the step is a TPE-like
   * density-ratio proposal around the best observations (`parzen`, the default; `off`: never).
   * `recommend` asks the same test whatever this says (docs/DESIGN.md section 6, "Model trust").
   */
  modelTrust?: 'off' | 'parzen';
  modelTrustMin?: number;
}

export interface GpOptions {
  nStartupTrials: number;
  kernel: KernelKind;
  acquisition: AcquisitionName;
  xi: number;
  beta: number;
  noiseFloor: number;
  deterministic: boolean;
  candidates: number;
  outputWarping: 'yeo-johnson' | 'none';
  noiseUnits: 'warped' | 'objective';
  warmStart: boolean;
  conditionalEncoding: ConditionalEncodingKind;
  thompsonEvery: number;
  thompsonMaxDim: number;
  thompsonStall: number;
  incumbent: 'auto' | 'observed' | 'mean' | 'capped';
  replicateIncumbent: boolean;
  noiseCap: number;
  noiseCapTest: 'loo' | 'none';
  observationEi: boolean;
  warmStartRows: boolean;
  warmStartRefine: boolean;
  warmStartModel: 'coregional' | 'guarded';
  additiveKernel: 'off' | 'loo';
  modelTrust: 'off' | 'parzen';
  modelTrustMin: number;
}

export const GP_DEFAULTS: GpOptions = {
  nStartupTrials: 8,
  kernel: 'matern52',
  acquisition: 'logei',
  xi: 0,
  beta: 4,
  noiseFloor: 1e-6,
  deterministic: false,
  candidates: 1024,
  outputWarping: 'yeo-johnson',
  noiseUnits: 'warped',
  warmStart: false,
  conditionalEncoding: 'imputed',
  thompsonEvery: 0,
  thompsonMaxDim: 3,
  thompsonStall: 0,
  incumbent: 'auto',
  replicateIncumbent: false,
  noiseCap: 0.01,
  noiseCapTest: 'loo',
  observationEi: false,
  warmStartRows: false,
  warmStartRefine: false,
  warmStartModel: 'guarded',
  additiveKernel: 'loo',
  modelTrust: 'parzen',
  modelTrustMin: 0.45,
};

export function gpOptions(config: SamplerConfig): GpOptions {
  return {
    nStartupTrials: config.nStartupTrials ?? GP_DEFAULTS.nStartupTrials,
    kernel: config.kernel ?? GP_DEFAULTS.kernel,
    acquisition: config.acquisition ?? GP_DEFAULTS.acquisition,
    xi: config.xi ?? GP_DEFAULTS.xi,
    beta: config.beta ?? GP_DEFAULTS.beta,
    noiseFloor: config.noiseFloor ?? GP_DEFAULTS.noiseFloor,
    deterministic: config.deterministic ?? GP_DEFAULTS.deterministic,
    candidates: config.candidates ?? GP_DEFAULTS.candidates,
    outputWarping: config.outputWarping ?? GP_DEFAULTS.outputWarping,
    noiseUnits: config.noiseUnits ?? GP_DEFAULTS.noiseUnits,
    warmStart: config.warmStart ?? GP_DEFAULTS.warmStart,
    conditionalEncoding: config.conditionalEncoding ?? GP_DEFAULTS.conditionalEncoding,
    thompsonEvery: config.thompsonEvery ?? GP_DEFAULTS.thompsonEvery,
    thompsonMaxDim: config.thompsonMaxDim ?? GP_DEFAULTS.thompsonMaxDim,
    thompsonStall: config.thompsonStall ?? GP_DEFAULTS.thompsonStall,
    incumbent: config.incumbent ?? GP_DEFAULTS.incumbent,
    replicateIncumbent: config.replicateIncumbent ?? GP_DEFAULTS.replicateIncumbent,
    noiseCap: config.noiseCap ?? GP_DEFAULTS.noiseCap,
    noiseCapTest: config.noiseCapTest ?? GP_DEFAULTS.noiseCapTest,
    observationEi: config.observationEi ?? GP_DEFAULTS.observationEi,
    warmStartRows: config.warmStartRows ?? GP_DEFAULTS.warmStartRows,
    warmStartRefine: config.warmStartRefine ?? GP_DEFAULTS.warmStartRefine,
    warmStartModel: config.warmStartModel ?? GP_DEFAULTS.warmStartModel,
    additiveKernel: config.additiveKernel ?? GP_DEFAULTS.additiveKernel,
    modelTrust: config.modelTrust ?? GP_DEFAULTS.modelTrust,
    modelTrustMin: config.modelTrustMin ?? GP_DEFAULTS.modelTrustMin,
  };
}

type FieldCheck = (value: unknown, path: string) => unknown;

const integer =
  (min: number, max: number): FieldCheck =>
  (v, path) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new ConfigError(path, `must be an integer in [${min}, ${max}]`);
    }
    return v;
  };
const number =
  (min: number, max: number, openLow = false): FieldCheck =>
  (v, path) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (openLow && v === min)) {
      throw new ConfigError(path, `must be a number in ${openLow ? '(' : '['}${min}, ${max}]`);
    }
    return v;
  };
const oneOf =
  (choices: readonly string[]): FieldCheck =>
  (v, path) => {
    if (typeof v !== 'string' || !choices.includes(v)) {
      throw new ConfigError(path, `must be one of ${choices.map((c) => `"${c}"`).join(', ')}`);
    }
    return v;
  };
const boolean: FieldCheck = (v, path) => {
  if (typeof v !== 'boolean') throw new ConfigError(path, 'must be a boolean');
  return v;
};

const SAMPLER_FIELDS: Record<string, FieldCheck> = {
  seed: integer(-(2 ** 53 - 1), 2 ** 53 - 1),
  nStartupTrials: integer(1, 10000),
  kernel: oneOf(['matern52', 'rbf']),
  acquisition: oneOf(ACQUISITION_NAMES),
  xi: number(0, 100),
  beta: number(0, 1000),
  noiseFloor: number(0, 1, true),
  deterministic: boolean,
  candidates: integer(16, 1 << 16),
  outputWarping: oneOf(['yeo-johnson', 'none']),
  noiseUnits: oneOf(['warped', 'objective']),
  warmStart: boolean,
  conditionalEncoding: oneOf(['arc', 'category', 'imputed', 'indicator', 'padded']),
  thompsonEvery: integer(0, 1000),
  thompsonMaxDim: integer(0, 1000),
  thompsonStall: integer(0, 1000),
  incumbent: oneOf(['auto', 'observed', 'mean', 'capped']),
  replicateIncumbent: boolean,
  noiseCap: number(0, 1),
  noiseCapTest: oneOf(['loo', 'none']),
  observationEi: boolean,
  warmStartRows: boolean,
  warmStartRefine: boolean,
  warmStartModel: oneOf(['coregional', 'guarded']),
  additiveKernel: oneOf(['off', 'loo']),
  modelTrust: oneOf(['off', 'parzen']),
  modelTrustMin: number(-1, 1),
};

function asRecord(input: unknown, path: string): Record<string, unknown> {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) throw new ConfigError(path, 'must be an object');
  return input as Record<string, unknown>;
}

/** Validates a sampler configuration and fills defaults; errors name the field ("sampler.xi"). */
export function parseSamplerConfig(input: unknown): SamplerConfig & GpOptions {
  const record = asRecord(input, 'sampler');
  const type = record.type === undefined ? 'gp' : oneOf(['random', 'qmc', 'gp'])(record.type, 'sampler.type');
  const out: Record<string, unknown> = { type };
  for (const [key, value] of Object.entries(record)) {
    if (key === 'type') continue;
    const check = SAMPLER_FIELDS[key];
    if (!check) throw new ConfigError(`sampler.${key}`, 'unknown field');
    if (value !== undefined) out[key] = check(value, `sampler.${key}`);
  }
  const partial = out as unknown as SamplerConfig;
  const filled = { ...partial, ...gpOptions(partial) };
  return filled;
}

export type PrunerConfig =
  | { type: 'none' }
  | { type: 'median'; warmupSteps: number; minTrials: number }
  | {
      type: 'asha';
      minResource: number;
      reductionFactor: number;
      minEarlyStoppingRate: number;
      minTrials: number;
    };

/** Validates a pruner configuration ({type: 'none'} by default); errors name the field. */
export function parsePrunerConfig(input: unknown): PrunerConfig {
  const record = asRecord(input, 'pruner');
  const type = (
    record.type === undefined ? 'none' : oneOf(['none', 'median', 'asha'])(record.type, 'pruner.type')
  ) as string;
  const allowed: Record<string, Record<string, FieldCheck>> = {
    none: {},
    median: { warmupSteps: integer(0, 1e9), minTrials: integer(1, 1e9) },
    asha: {
      minResource: integer(1, 1e9),
      reductionFactor: integer(2, 1000),
      minEarlyStoppingRate: integer(0, 100),
      minTrials: integer(1, 1e9),
    },
  };
  const fields = allowed[type] ?? {};
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === 'type') continue;
    const check = fields[key];
    if (!check) throw new ConfigError(`pruner.${key}`, `unknown field for pruner type "${type}"`);
    values[key] = check(value, `pruner.${key}`);
  }
  const get = (key: string, fallback: number): number => (values[key] as number | undefined) ?? fallback;
  if (type === 'median') return { type, warmupSteps: get('warmupSteps', 0), minTrials: get('minTrials', 5) };
  if (type === 'asha') {
    return {
      type,
      minResource: get('minResource', 1),
      reductionFactor: get('reductionFactor', 3),
      minEarlyStoppingRate: get('minEarlyStoppingRate', 0),
      minTrials: get('minTrials', 1),
    };
  }
  return { type: 'none' };
}
