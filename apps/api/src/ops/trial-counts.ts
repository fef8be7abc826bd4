import type { OpsDataSource } from './readiness.js';

export type TrialCounts = Partial<Record<string, number>>;

/**
 * Trials by state, for the `posterior_trials` gauge. The GROUP BY is answered from the
 * (state, heartbeat_at) index; results are cached for `minIntervalMs` so several scrapers (or a
 * scrape storm) cost one query, and concurrent scrapes share one in-flight query.
 */
export function createTrialCounter(
  dataSource: Pick<OpsDataSource, 'query'>,
  options: { minIntervalMs?: number; now?: () => number } = {},
): () => Promise<TrialCounts> {
  const minIntervalMs = options.minIntervalMs ?? 5000;
  const now = options.now ?? Date.now;
  let cached: { at: number; counts: TrialCounts } | undefined;
  let inFlight: Promise<TrialCounts> | undefined;

  return function counts(): Promise<TrialCounts> {
    if (cached && now() - cached.at < minIntervalMs) return Promise.resolve(cached.counts);
    inFlight ??= (async () => {
      try {
        const rows = (await dataSource.query(
          'SELECT "state", count(*)::int AS "n" FROM "trials" GROUP BY "state"',
        )) as { state: string; n: number | string }[];
        const result: TrialCounts = {};
        for (const row of rows) result[row.state] = Number(row.n);
        cached = { at: now(), counts: result };
        return result;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };
}
