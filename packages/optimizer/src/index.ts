/**
 * @posterior/optimizer: search spaces, a Gaussian-process Bayesian optimizer, QMC and random
 * samplers, pruners and the benchmark harness. Pure numerics: no I/O, no framework imports.
 */
export {
  type AcquisitionName,
  type AcquisitionSpec,
  type AcquisitionValue,
  evaluateAcquisition,
  expectedImprovement,
} from './acquisition.js';
export { conditionalObjectives } from './bench/conditional.js';
export {
  formatMoModuleTable,
  type MoBenchObjective,
  type MoEvaluation,
  type MoModuleMetric,
  type MoModuleResult,
  type MoModuleRun,
  moModuleCheckpoints,
  runMoModuleBenchmark,
} from './bench/mo-module.js';
export {
  frontMetric,
  MO_PROBLEMS,
  type MoBenchResult,
  type MoProblem,
  type MoRun,
  type MoSummaryCell,
  runMoBenchmark,
  summarizeMo,
} from './bench/multiobjective.js';
export { type BenchObjective, builtinObjectives, noisyObjective } from './bench/objectives.js';
export {
  type BenchResult,
  type BenchRun,
  type BenchSummary,
  type BenchSummaryRow,
  type BenchTrialEvent,
  formatNumber,
  formatSummaryTable,
  quantile,
  runBenchmark,
  SUMMARY_CHECKPOINTS,
  summarizeBenchmark,
} from './bench/run.js';
export { type SignedRankResult, wilcoxonSignedRank } from './bench/stats.js';
export {
  ConditionalEncoding,
  type ConditionalEncodingKind,
  EmbeddedAcquisition,
} from './conditional-encoding.js';
export {
  type Direction,
  GP_DEFAULTS,
  type GpOptions,
  type PrunerConfig,
  parsePrunerConfig,
  parseSamplerConfig,
  type SamplerConfig,
  type SamplerType,
} from './config.js';
export { ConfigError, ModelFittingError, SearchSpaceError, SpaceExhaustedError } from './errors.js';
export { fitHyperparameters, type GpData, type GpHyperparameters, GpPosterior } from './gp.js';
export type { KernelKind } from './kernel.js';
export { fitPrefixLength } from './model.js';
export { ModelCache, processModelCache } from './model-cache.js';
export { type Box, hypervolumeImprovement, nonDominatedBoxes } from './multiobjective/box-decomposition.js';
export { logProbabilityOfFeasibility } from './multiobjective/constraints.js';
export { LogEhvi } from './multiobjective/ehvi.js';
export { hypervolume } from './multiobjective/hypervolume.js';
export { logNdtr } from './multiobjective/log-normal.js';
export {
  dominates,
  nonDominatedRanks,
  type ObjectiveVector,
  paretoFrontIndices,
  toMinimization,
} from './multiobjective/pareto.js';
export {
  type CompletedTrial,
  type ConstraintSpec,
  type ObjectiveSpec,
  type ReferencePointInfo,
  referencePoint,
} from './multiobjective/suggest.js';
export {
  type IntermediateValue,
  type OtherTrial,
  type PruneDecision,
  pruneDecision,
  shouldPrune,
} from './pruners.js';
export { type Recommendation, type RecommendRequest, recommend } from './recommend.js';
export { createRng, mixSeed, type Rng } from './rng.js';
export {
  createSampler,
  type Sampler,
  type Suggestion,
  type SuggestionInfo,
  type SuggestRequest,
  suggest,
} from './samplers.js';
export {
  type ActiveWhen,
  type CategoricalParamSpec,
  type FloatParamSpec,
  type IntParamSpec,
  type ParamSpec,
  type Params,
  type ParamValue,
  ParsedSearchSpace,
  parseSearchSpace,
  type SearchSpace,
} from './search-space.js';
export { studySeed, trialSeed } from './seeds.js';
export { fitSurrogate, type Surrogate } from './surrogate.js';
export {
  fitSourceModels,
  fitTransfer,
  fitTransferModel,
  GUARD_NATS,
  type SourceStudy,
  sourceBestParams,
  type TransferFit,
  type TransferModel,
} from './transfer.js';
export { TransferNegLogPosterior } from './transfer-likelihood.js';
