import { encodeCursor } from '../common/cursor.js';
import type { TrialRecord } from '../common/trial-record.js';
import { TRIAL_INFO_COLUMNS, type TrialState } from '../db/index.js';
import { PageInfo, Suggestion, Trial } from './types.js';

/**
 * GraphQL plumbing shared by features: connections, and trial records (which several features
 * pass around: trial services, pubsub payloads, insights) as GraphQL objects. Each feature maps
 * its own rows beside its queries (`trial/trial-row.ts`, `study/study-row.ts`, `team/team-rows.ts`,
 * `auth/user-row.ts`, `artifacts/artifact-row.ts`).
 */

const date = (s: string | null): Date | null => (s === null ? null : new Date(s));

export function toTrial(record: TrialRecord): Trial {
  const suggestion = record.suggestion === null ? null : Object.assign(new Suggestion(), record.suggestion);
  const trial = Object.assign(new Trial(), {
    id: record.id,
    studyId: record.studyId,
    number: record.number,
    state: record.state as TrialState,
    params: record.params,
    value: record.value,
    values: record.values ?? null,
    constraints: record.constraints ?? null,
    feasible: record.feasible ?? null,
    suggestion,
    workerId: record.workerId,
    error: record.error,
    retryOf: record.retryOf,
    createdAt: new Date(record.createdAt),
    startedAt: date(record.startedAt),
    finishedAt: date(record.finishedAt),
    heartbeatAt: date(record.heartbeatAt),
  });
  // The informational fields carry over unchanged (GraphQL resolves them by name).
  for (const [field, , empty] of TRIAL_INFO_COLUMNS)
    (trial as unknown as Record<string, unknown>)[field] =
      (record as unknown as Record<string, unknown>)[field] ?? empty();
  return trial;
}

/**
 * One page of a keyset-paginated list as a GraphQL connection. `hasNextPage` comes from the caller,
 * which fetches one row more than the page to learn it without a second query.
 */
export function toConnection<
  N extends { id: string },
  E extends { cursor: string; node: N },
  C extends { edges: E[]; nodes: N[]; pageInfo: PageInfo; totalCount: number },
>(
  Connection: new () => C,
  Edge: new () => E,
  /** The parent the list was read under (the study of its trials); its cursors open only there. */
  parentId: string,
  nodes: readonly N[],
  hasNextPage: boolean,
  totalCount: number,
): C {
  const edges: E[] = nodes.map((node) =>
    Object.assign(new Edge(), { cursor: encodeCursor(parentId, node.id), node }),
  );
  const connection = new Connection();
  connection.edges = edges;
  connection.nodes = edges.map((e) => e.node);
  connection.pageInfo = Object.assign(new PageInfo(), {
    hasNextPage,
    endCursor: edges.at(-1)?.cursor ?? null,
  });
  connection.totalCount = totalCount;
  return connection;
}
