import * as optimizer from '@posterior/optimizer';
import { requireCaller, scopeSql } from '../authz/authorization.js';
import type { Caller } from '../authz/caller.js';
import type { Sql } from '../common/db.js';
import { BadUserInputError, ConflictError, NotFoundError } from '../common/errors.js';
import { isUuid } from '../common/validate.js';
import { Role, TrialState } from '../db/index.js';
import type { MetricPointInput } from '../graphql/inputs.js';
import { ReportResult } from '../graphql/types.js';
import { opsMetrics } from '../ops/index.js';
import type { MetricTuple } from '../pubsub/pubsub.js';
import { finishedConflict, loadTrialAccess } from './trial-access.js';
import type { TrialDeps } from './trial-deps.js';

export const MAX_POINTS_PER_REPORT = 10_000;
const METRIC_NAME = /^[A-Za-z0-9_.:/-]{1,200}$/;

const prunerConfigs = new Map<string, optimizer.PrunerConfig>();

type ReportRow = {
  study_id: string | null;
  objective: string | null;
  direction: 'MINIMIZE' | 'MAXIMIZE' | null;
  pruner: Record<string, unknown> | null;
  inserted: number;
  /** [name, step, value] of the inserted points, only when some of the batch was already stored. */
  fresh: Array<[string, number, number]> | null;
};

function reportStatement(scope: string): string {
  // One statement authorizes, refreshes the heartbeat (reporting is a sign of life) and inserts
  // the batch only while the trial is still RUNNING; duplicates of (trial, name, step) are skipped.
  // Which points were new comes back only when the batch was partly stored already: a first
  // report (all new) and a retry (none new) answer with a count, not 1000 rows.
  return `WITH hb AS (
      UPDATE trials t SET heartbeat_at = now() FROM studies s
      WHERE t.id = $1 AND s.id = t.study_id AND t.state = 'RUNNING' AND ${scope}
      RETURNING t.id, t.study_id, s.objective, s.direction, s.pruner),
    ins AS (
      INSERT INTO metric_points (trial_id, study_id, name, step, value)
      SELECT hb.id, hb.study_id, p.name, p.step, p.value
      FROM hb, unnest($2::text[], $3::int[], $4::float8[]) AS p(name, step, value)
      ON CONFLICT DO NOTHING
      RETURNING name, step, value),
    n AS (SELECT count(*)::int AS inserted FROM ins)
    SELECT hb.study_id, hb.objective, hb.direction, hb.pruner, n.inserted,
      CASE WHEN n.inserted > 0 AND n.inserted < cardinality($2::text[])
        THEN (SELECT json_agg(json_build_array(i.name, i.step, i.value)) FROM ins i) END AS fresh
    FROM (SELECT 1) AS one LEFT JOIN hb ON true CROSS JOIN n`;
}

/**
 * reportMetrics: stores a batch of points of a RUNNING trial, announces exactly the newly stored
 * ones to subscribers, and answers whether the study's pruner would stop the trial.
 */
export async function reportMetrics(
  deps: TrialDeps,
  caller: Caller | null,
  trialId: string,
  points: readonly MetricPointInput[],
): Promise<ReportResult> {
  const c = requireCaller(caller);
  if (!isUuid(trialId)) throw new NotFoundError('trial');
  if (points.length > MAX_POINTS_PER_REPORT) {
    throw new BadUserInputError('points', `at most ${MAX_POINTS_PER_REPORT} points per call`);
  }
  const names: string[] = [];
  const steps: number[] = [];
  const values: number[] = [];
  points.forEach((p, i) => {
    if (!METRIC_NAME.test(p.name)) {
      throw new BadUserInputError(`points[${i}].name`, 'must be 1-200 characters of [A-Za-z0-9_.:/-]');
    }
    if (!Number.isInteger(p.step) || p.step < 0 || p.step > 2_147_483_647) {
      throw new BadUserInputError(`points[${i}].step`, 'must be a non-negative 32-bit integer');
    }
    if (typeof p.value !== 'number' || !Number.isFinite(p.value)) {
      throw new BadUserInputError(`points[${i}].value`, 'must be a finite number (not NaN or infinite)');
    }
    names.push(p.name);
    steps.push(p.step);
    values.push(p.value);
  });

  // The ingest pool commits synchronously: an answered report survives a database crash.
  const scope = points.length > 0 ? scopeSql(c, 's.team_id', '$5', Role.MEMBER) : null;
  const rows = scope
    ? await deps.db.ingest.rows<ReportRow>(
        reportStatement(scope.sql),
        [trialId, names, steps, values, scope.value],
        true,
      )
    : [];
  const head = rows[0];
  if (!head?.study_id || !head.objective || !head.direction || !head.pruner) {
    // Unknown, not allowed, finished, or an empty batch: the slow path answers which.
    const { trial } = await loadTrialAccess(deps.db, caller, trialId, Role.MEMBER);
    if (trial.state !== TrialState.RUNNING) throw finishedConflict(trial, 'accepts no more metrics');
    if (points.length === 0)
      return Object.assign(new ReportResult(), { accepted: 0, inserted: 0, shouldPrune: false });
    throw new ConflictError(`trial #${trial.number} changed while reporting; retry`);
  }
  if (head.inserted > 0) {
    opsMetrics.metricPointsIngested.inc(head.inserted);
    const now = Date.now();
    const announced: MetricTuple[] = head.fresh
      ? head.fresh.map(([name, step, value]): MetricTuple => [name, step, value, now])
      : names.map((name, i): MetricTuple => [name, steps[i] ?? 0, values[i] ?? 0, now]);
    deps.pubsub.publishMetricPoints(head.study_id, trialId, announced);
  }

  let decision: optimizer.PruneDecision | null = null;
  if (head.pruner.type !== 'none' && names.includes(head.objective)) {
    decision = await prunerSaysStop(
      deps.db,
      trialId,
      head.study_id,
      head.pruner,
      head.objective,
      head.direction,
    );
    // The first decision is the trial's (a worker may report again before it stops). Rare: only
    // when the pruner says stop.
    if (decision !== null)
      await deps.db.one(
        `UPDATE trials SET prune_step = $2, prune_reason = $3
         WHERE id = $1 AND state = 'RUNNING' AND prune_step IS NULL RETURNING id`,
        [trialId, decision.step, decision.reason],
      );
  }
  return Object.assign(new ReportResult(), {
    accepted: points.length,
    inserted: head.inserted,
    shouldPrune: decision !== null,
    pruneReason: decision?.reason ?? null,
  });
}

async function prunerSaysStop(
  sql: Sql,
  trialId: string,
  studyId: string,
  pruner: Record<string, unknown>,
  objective: string,
  direction: 'MINIMIZE' | 'MAXIMIZE',
): Promise<optimizer.PruneDecision | null> {
  const key = JSON.stringify(pruner);
  let config = prunerConfigs.get(key);
  if (config === undefined) {
    config = optimizer.parsePrunerConfig(pruner);
    if (prunerConfigs.size > 256) prunerConfigs.clear();
    prunerConfigs.set(key, config);
  }
  const rows = await sql.rows<{ trial_id: string; state: string; step: number; value: number }>(
    `SELECT mp.trial_id, t.state, mp.step, mp.value FROM metric_points mp JOIN trials t ON t.id = mp.trial_id
     WHERE mp.study_id = $1 AND mp.name = $2 AND t.state IN ('COMPLETE', 'PRUNED', 'RUNNING')
     ORDER BY mp.trial_id, mp.step`,
    [studyId, objective],
  );
  const own: { step: number; value: number }[] = [];
  const others = new Map<
    string,
    { state: 'COMPLETE' | 'PRUNED' | 'RUNNING'; values: { step: number; value: number }[] }
  >();
  for (const r of rows) {
    if (r.trial_id === trialId) {
      own.push({ step: r.step, value: r.value });
      continue;
    }
    let other = others.get(r.trial_id);
    if (!other) {
      other = { state: r.state as 'COMPLETE' | 'PRUNED' | 'RUNNING', values: [] };
      others.set(r.trial_id, other);
    }
    other.values.push({ step: r.step, value: r.value });
  }
  return optimizer.pruneDecision(config, direction, own, [...others.values()]);
}
