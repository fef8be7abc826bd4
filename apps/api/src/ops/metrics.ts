import {
  TERMINAL_TRIAL_STATES,
  type TerminalTrialState,
  TRIAL_STATES,
  type TrialState,
} from '@posterior/core';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Trial states as the database stores them (docs/DESIGN.md section 4). */
export { TRIAL_STATES };
export type TrialStateLabel = TrialState;
export type TellStateLabel = TerminalTrialState;
export type SubscriptionTopic = 'trialEvents' | 'metricPoints' | 'studyUpdates';

/**
 * The metrics the API's services update. Names follow Prometheus conventions (`_total` counters,
 * base units: seconds). Label sets are closed and small on purpose: no study or trial ids, whose
 * cardinality grows without bound.
 */
export interface OpsMetrics {
  readonly registry: Registry;
  /** askTrials calls. */
  readonly asks: Counter<never>;
  /** Trials handed out by askTrials (one ask may claim several). */
  readonly trialsAsked: Counter<never>;
  /** tellTrial calls that moved a trial to a terminal state, by that state. */
  readonly tells: Counter<'state'>;
  /** Trials currently in each state, read from the database when /metrics is scraped. */
  readonly trialsByState: Gauge<'state'>;
  /** Time the sampler took per suggestion, by sampler type (gp, random, qmc, ...). */
  readonly suggestionSeconds: Histogram<'sampler'>;
  /** GraphQL subscriptions open on this process, by topic. */
  readonly openSubscriptions: Gauge<'topic'>;
  /** Metric points accepted by reportMetrics (duplicates of a retried report count once). */
  readonly metricPointsIngested: Counter<never>;
  /** Heartbeats received. */
  readonly heartbeats: Counter<never>;
  /** Trials the reaper failed as stale. */
  readonly staleTrials: Counter<never>;
  /** HTTP requests by method, route (the mounted path, not the raw URL) and status class. */
  readonly httpSeconds: Histogram<'method' | 'route' | 'status'>;
  /** Errors while reading trial counts for a scrape (the scrape still answers). */
  readonly scrapeErrors: Counter<never>;
  /** Starts a suggestion timer; call the result when the sampler returns. */
  timeSuggestion(sampler: string): () => number;
  /** Counts an opened subscription; call the result once when it closes (extra calls are no-ops). */
  trackSubscription(topic: SubscriptionTopic): () => void;
  /**
   * Wraps a subscription's event stream: counted open from the first pull until it ends, errors or
   * the client unsubscribes (graphql-ws calls `return()`), for resolvers that return an iterator.
   */
  countSubscription<T>(
    topic: SubscriptionTopic,
    source: AsyncIterable<T>,
  ): AsyncGenerator<T, void, undefined>;
}

export interface OpsMetricsOptions {
  /** Collect Node process metrics (event loop lag, heap, GC) too. Default true. */
  processMetrics?: boolean;
  /** Prefix of every metric name. Default `posterior_`. */
  prefix?: string;
}

/** A fresh registry with every ops metric; tests make their own, the server uses `opsMetrics`. */
export function createOpsMetrics(options: OpsMetricsOptions = {}): OpsMetrics {
  const registry = new Registry();
  const p = options.prefix ?? 'posterior_';
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: p });
  const registers = [registry];

  const asks = new Counter({ name: `${p}asks_total`, help: 'askTrials calls', registers });
  const trialsAsked = new Counter({
    name: `${p}trials_asked_total`,
    help: 'Trials handed out by askTrials',
    registers,
  });
  const tells = new Counter({
    name: `${p}tells_total`,
    help: 'tellTrial calls that finished a trial, by terminal state',
    labelNames: ['state'] as const,
    registers,
  });
  const trialsByState = new Gauge({
    name: `${p}trials`,
    help: 'Trials in the database by state (read at scrape time)',
    labelNames: ['state'] as const,
    registers,
  });
  const suggestionSeconds = new Histogram({
    name: `${p}suggestion_duration_seconds`,
    help: 'Time the sampler took to produce one suggestion',
    labelNames: ['sampler'] as const,
    // GP fits run from about a millisecond (few trials) to seconds (hundreds of trials).
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const openSubscriptions = new Gauge({
    name: `${p}subscriptions_open`,
    help: 'GraphQL subscriptions open on this process',
    labelNames: ['topic'] as const,
    registers,
  });
  const metricPointsIngested = new Counter({
    name: `${p}metric_points_ingested_total`,
    help: 'Metric points accepted by reportMetrics',
    registers,
  });
  const heartbeats = new Counter({
    name: `${p}heartbeats_total`,
    help: 'Trial heartbeats received',
    registers,
  });
  const staleTrials = new Counter({
    name: `${p}stale_trials_total`,
    help: 'RUNNING trials failed as stale by the heartbeat reaper',
    registers,
  });
  const httpSeconds = new Histogram({
    name: `${p}http_request_duration_seconds`,
    help: 'HTTP request duration',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const scrapeErrors = new Counter({
    name: `${p}metrics_scrape_errors_total`,
    help: 'Errors reading trial counts for a scrape',
    registers,
  });
  // Zero-valued series exist from the start, so rate() and absent() behave before the first event.
  for (const state of TRIAL_STATES) trialsByState.set({ state }, 0);
  for (const state of TERMINAL_TRIAL_STATES) tells.inc({ state }, 0);
  for (const topic of ['trialEvents', 'metricPoints'] as const) openSubscriptions.set({ topic }, 0);

  function trackSubscription(topic: SubscriptionTopic): () => void {
    openSubscriptions.inc({ topic });
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      openSubscriptions.dec({ topic });
    };
  }

  return {
    registry,
    asks,
    trialsAsked,
    tells,
    trialsByState,
    suggestionSeconds,
    openSubscriptions,
    metricPointsIngested,
    heartbeats,
    staleTrials,
    httpSeconds,
    scrapeErrors,
    timeSuggestion(sampler) {
      return suggestionSeconds.startTimer({ sampler });
    },
    trackSubscription,
    async *countSubscription(topic, source) {
      const close = trackSubscription(topic);
      try {
        yield* source;
      } finally {
        close();
      }
    },
  };
}

/**
 * The process-wide metrics the services update, e.g. `opsMetrics.asks.inc()`. One per process:
 * Prometheus scrapes each process (pod) separately and sums across them.
 */
export const opsMetrics: OpsMetrics = createOpsMetrics();
