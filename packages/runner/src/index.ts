export * from './events.js';
export {
  BUILT_IN_TASKS,
  loadObjective,
  ObjectiveLoadError,
  type ObjectiveSpec,
  taskProblem,
} from './objective-loader.js';
export { type PoolOptions, type PoolSummary, runWorkerPool } from './pool.js';
// The demo study's definition, without TensorFlow.js; the tasks themselves are `@posterior/runner/tasks`.
export { type DemoStudyOptions, demoStudyInput } from './tasks/transfer-learning/demo-study.js';
export { transferLearningSearchSpace } from './tasks/transfer-learning/params.js';
export * from './trial-handle.js';
export {
  defaultWorkerId,
  heartbeatPeriodMs,
  runWorker,
  type WorkerOptions,
} from './worker.js';
export type { WorkerApi } from './worker-api.js';
export { createWorkerClient, WORKER_SDK_RETRY } from './worker-client.js';
