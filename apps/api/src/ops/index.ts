// Operations: health and readiness probes, Prometheus metrics, request ids in JSON logs. Graceful
// shutdown is the server's own close() (Apollo's drain plugin; see drain.db.test.ts).
export {
  createOpsMetrics,
  type OpsMetrics,
  type OpsMetricsOptions,
  opsMetrics,
  type SubscriptionTopic,
  type TellStateLabel,
  TRIAL_STATES,
  type TrialStateLabel,
} from './metrics.js';
export {
  createReadinessCheck,
  type OpsDataSource,
  type ReadinessOptions,
  type ReadinessReport,
} from './readiness.js';
export {
  type RequestContext,
  type RequestLoggingOptions,
  requestContextFor,
  requestIdFrom,
  requestLogging,
  requestTracker,
} from './request-context.js';
export { createOpsRouter, type OpsRouterOptions } from './router.js';
export { createTrialCounter, type TrialCounts } from './trial-counts.js';
