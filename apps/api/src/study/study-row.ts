import type { Direction, StudyState } from '../db/index.js';
import { Constraint, Objective, Study } from '../graphql/types.js';

/**
 * A study row as the services select it (snake_case, as in the migrations) and its GraphQL object.
 * The column list lives beside the row type so a query and its mapping cannot drift apart.
 */
export interface StudyRow {
  id: string;
  team_id: string;
  name: string;
  state: StudyState;
  direction: Direction;
  objective: string;
  objectives: Array<{ name: string; direction: Direction }>;
  constraints: Array<{ name: string }>;
  reference_point: number[] | null;
  search_space: unknown[];
  sampler: Record<string, unknown>;
  pruner: Record<string, unknown>;
  max_trials: number;
  parallelism: number;
  heartbeat_timeout_s: number;
  retry_failed: number;
  next_trial_number: number;
  warm_start_from: string[];
  description: string | null;
  created_at: Date;
  updated_at: Date;
}
export const STUDY_COLUMNS =
  's.id, s.team_id, s.name, s.state, s.direction, s.objective, s.objectives, s.constraints, s.reference_point, s.search_space, s.sampler, s.pruner, s.max_trials, ' +
  's.parallelism, s.heartbeat_timeout_s, s.retry_failed, s.next_trial_number, s.warm_start_from, s.description, ' +
  's.created_at, s.updated_at';

export function toStudy(row: StudyRow): Study {
  const objectives = (
    row.objectives?.length ? row.objectives : [{ name: row.objective, direction: row.direction }]
  ).map((o) => Object.assign(new Objective(), { name: o.name, direction: o.direction }));
  return Object.assign(new Study(), {
    id: row.id,
    teamId: row.team_id,
    name: row.name,
    state: row.state,
    direction: row.direction,
    objective: row.objective,
    objectives,
    constraints: (row.constraints ?? []).map((c) => Object.assign(new Constraint(), { name: c.name })),
    isMultiObjective: objectives.length >= 2,
    givenReferencePoint: row.reference_point ?? null,
    searchSpace: row.search_space,
    sampler: row.sampler,
    pruner: row.pruner,
    maxTrials: row.max_trials,
    parallelism: row.parallelism,
    heartbeatTimeoutS: row.heartbeat_timeout_s,
    retryFailed: row.retry_failed,
    warmStartFrom: row.warm_start_from ?? [],
    description: row.description ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}
