/** A search space or a params object that does not match docs/DESIGN.md section 3; `path` names the entry. */
export class SearchSpaceError extends Error {
  override name = 'SearchSpaceError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

/** A sampler or pruner configuration field that is invalid; `path` is like "sampler.xi". */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

/** Every point of a finite search space has already been evaluated or is running. */
export class SpaceExhaustedError extends Error {
  override name = 'SpaceExhaustedError';
}

/** The GP could not be fitted even with default hyperparameters; callers fall back to QMC. */
export class ModelFittingError extends Error {
  override name = 'ModelFittingError';
}
