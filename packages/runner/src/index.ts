export * from './events.js';
export {
  BUILT_IN_TASKS,
  loadObjective,
  ObjectiveLoadError,
  type ObjectiveSpec,
  taskProblem,
} from './objective-loader.js';
export { type PoolOptions, type PoolSummary, runWorkerPool } from './pool.js';
export * from './tasks/transfer-learning/index.js';
export * from './tfjs/index.js';
export * from './trial-handle.js';
export { defaultWorkerId, heartbeatPeriodMs, runWorker, type WorkerOptions } from './worker.js';
export type { WorkerApi } from './worker-api.js';
