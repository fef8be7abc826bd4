import type { Acquisition, AcquisitionSpec } from '../acquisition.js';
import { ExpectedImprovement } from './ei.js';
import { LogExpectedImprovement } from './logei.js';
import { ProbabilityOfImprovement } from './pi.js';
import { UpperConfidenceBound } from './ucb.js';

/**
 * Every single-objective acquisition by its config name (`acquisition` in the sampler config).
 * A new acquisition is one module in this folder implementing Acquisition, plus its line here:
 * the config's accepted names and AcquisitionName follow from this table.
 */
export const ACQUISITIONS = {
  logei: LogExpectedImprovement,
  ei: ExpectedImprovement,
  pi: ProbabilityOfImprovement,
  ucb: UpperConfidenceBound,
} satisfies Record<string, new (spec: AcquisitionSpec) => Acquisition>;

export type AcquisitionName = keyof typeof ACQUISITIONS;

export const ACQUISITION_NAMES = Object.keys(ACQUISITIONS) as AcquisitionName[];
