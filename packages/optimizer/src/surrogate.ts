import { acquisitionOf, acquisitionSpec } from './acquisition.js';
import { fitSpaceModel, type SpaceModel } from './conditional-fit.js';
import { gpOptions, type SamplerConfig } from './config.js';
import { ModelFittingError } from './errors.js';
import { collectObservations, predictObjective } from './model.js';
import { type ModelCache, processModelCache } from './model-cache.js';
import type { SuggestRequest } from './samplers.js';
import { type Params, parseSearchSpace } from './search-space.js';
import { fitTransferModel, TransferAcquisition, transferPredictObjective } from './transfer.js';

/** The fitted model exposed for insights: surrogate slices, acquisition maps, importance. */
export interface Surrogate {
  /** Posterior mean and standard deviation in objective units. */
  predict(points: ReadonlyArray<Params>): Array<{ mean: number; std: number }>;
  /** The sampler's acquisition (accounting for pending trials), as maximized by the GP sampler. */
  acquisition(points: ReadonlyArray<Params>): number[];
  /** Fitted lengthscale per parameter, in unit-cube scale (categorical: in Hamming units). */
  lengthscales(): Record<string, number>;
  /** Relative importance per parameter from inverse lengthscales, normalized to sum 1. */
  importance(): Record<string, number>;
}

/** Minimum finite observations for a surrogate worth showing. */
const MIN_OBSERVATIONS = 3;

/** Fits the GP of `config` (whatever its type) on the request's history; null when too few data. */
export function fitSurrogate(
  config: SamplerConfig,
  request: SuggestRequest,
  cache: ModelCache = processModelCache,
): Surrogate | null {
  const space = parseSearchSpace(request.space);
  const options = gpOptions(config);
  const obs = collectObservations(space, request.direction, request.completed);
  if (obs.n < MIN_OBSERVATIONS) return null;
  const pending: Float64Array[] = [];
  for (const p of request.pending) {
    try {
      pending.push(space.snap(space.encode(p)));
    } catch {
      // Pending trials from an older search space carry no information here.
    }
  }
  let model: SpaceModel;
  try {
    model = fitSpaceModel(space, request.direction, obs, pending, options, cache);
  } catch (error) {
    if (error instanceof ModelFittingError) return null;
    throw error;
  }
  const encode = (p: Params): Float64Array => space.snap(space.encode(space.validateParams(p)));
  // A warm-started study whose sources pass the guard is explained by the transfer model, as its
  // sampler sees it (lengthscales and importance stay the plain GP's: the study's own evidence).
  const transfer =
    request.sources && request.sources.length > 0
      ? fitTransferModel(space, obs, pending, request.sources, options, true, cache)
      : null;
  if (transfer) {
    const objective = new TransferAcquisition(transfer, acquisitionSpec(options, transfer.best));
    return {
      ...surrogateOf(space, model, options),
      predict: (points) =>
        points.map((p) => transferPredictObjective(transfer, request.direction, encode(p))),
      acquisition: (points) => points.map((p) => objective.value(encode(p))),
    };
  }
  return surrogateOf(space, model, options);
}

function surrogateOf(
  space: ReturnType<typeof parseSearchSpace>,
  { model, toModel, coordinateOf }: SpaceModel,
  options: ReturnType<typeof gpOptions>,
): Surrogate {
  const spec = acquisitionSpec(options, model.best, model.withPending.hyper.noiseVar);
  const acquisition = acquisitionOf(spec);
  // Conditional spaces: a slice may set a parent without its children (or keep a child it deactivates).
  const encode = (p: Params): Float64Array =>
    toModel(space.snap(space.conditional ? space.encodeLenient(p) : space.encode(space.validateParams(p))));
  const lambdas = model.posterior.hyper.invSqLengthscales;
  const lengths = (): Record<string, number> => {
    const out: Record<string, number> = {};
    space.dims.forEach((d, i) => {
      out[d.name] = 1 / Math.sqrt(lambdas[coordinateOf(i)] ?? 1);
    });
    return out;
  };
  return {
    predict: (points) => points.map((p) => predictObjective(model, encode(p))),
    acquisition: (points) =>
      points.map((p) => {
        const post = model.withPending.predict(encode(p));
        return acquisition.value(post.mean, post.variance + (spec.observationNoise ?? 0));
      }),
    lengthscales: lengths,
    importance: () => {
      // A parameter with a single possible value explains nothing, whatever its lengthscale.
      const weight = space.dims.map((d, i) => {
        const constant = d.size === 1 || (d.spec.type === 'float' && d.spec.low === d.spec.high);
        return constant ? 0 : Math.sqrt(lambdas[coordinateOf(i)] ?? 0);
      });
      const total = weight.reduce((a, b) => a + b, 0);
      const out: Record<string, number> = {};
      space.dims.forEach((d, i) => {
        out[d.name] = total > 0 ? (weight[i] ?? 0) / total : 1 / space.dims.length;
      });
      return out;
    },
  };
}
