'use client';

import { PosteriorError, type StudySort } from '@posterior/sdk';
import { TRIAL_TABLE_QUERY } from '../early-requests';
import { readBothEnds } from '../paging';
import type {
  ApiToken,
  Member,
  MetricPoint,
  ParamImportance,
  PendingInvitation,
  Role,
  Study,
  StudySummary,
  SurrogateSlice,
  Trial,
} from '../types';
import { getClient, gql } from './client';
import { toStudy, toTrial } from './convert';

/** Fields of the emitted schema the SDK does not wrap; all requests go through `gql`. */

const STUDY_ROW = `id name state direction objective maxTrials createdAt
  trialCounts { waiting running complete pruned failed }
  bestTrial { id value }
  history { value state }`;

interface WireStudyRow {
  id: string;
  name: string;
  state: Study['state'];
  direction: Study['direction'];
  objective: string;
  maxTrials: number | null;
  createdAt: string;
  trialCounts: StudySummary['trialCounts'];
  bestTrial: { id: string; value: number | null } | null;
  history: Array<{ value: number | null; state: string }>;
}

export interface StudiesPage {
  studies: StudySummary[];
  endCursor: string | null;
  hasNextPage: boolean;
  totalCount: number;
}

/** Server-side order of the studies list; cursors belong to one order. */
export type { StudySort };

export interface StudiesFilter {
  /** Empty: every state. */
  states: readonly Study['state'][];
  nameContains: string;
  sort: StudySort;
}

export async function listStudies(
  teamId: string,
  first: number,
  after: string | null,
  filter: StudiesFilter,
  signal?: AbortSignal,
): Promise<StudiesPage> {
  const data = await gql<{
    studies: {
      nodes: WireStudyRow[];
      pageInfo: { endCursor: string | null; hasNextPage: boolean };
      totalCount: number;
    };
  }>(
    `query StudiesList($teamId: ID!, $first: Int, $after: String, $states: [StudyState!], $name: String, $sort: StudySort) {
      studies(teamId: $teamId, first: $first, after: $after, states: $states, nameContains: $name, sort: $sort) {
        nodes { ${STUDY_ROW} } pageInfo { endCursor hasNextPage } totalCount } }`,
    {
      teamId,
      first,
      after,
      states: filter.states.length ? filter.states : null,
      name: filter.nameContains || null,
      sort: filter.sort,
    },
    signal,
  );
  return {
    studies: data.studies.nodes.map((s) => ({
      id: s.id,
      name: s.name,
      state: s.state,
      direction: s.direction,
      objective: s.objective,
      maxTrials: s.maxTrials,
      createdAt: s.createdAt,
      trialCounts: s.trialCounts,
      bestValue: s.bestTrial?.value ?? null,
      history: s.history.filter((h) => h.state === 'COMPLETE' && h.value !== null).map((h) => h.value ?? 0),
    })),
    endCursor: data.studies.pageInfo.endCursor,
    hasNextPage: data.studies.pageInfo.hasNextPage,
    totalCount: data.studies.totalCount,
  };
}

type TrialTableAnswer = { total: number; params: string[]; rows: TableRow[] };

export async function loadStudy(id: string, signal?: AbortSignal): Promise<Study | null> {
  const s = await getClient().study(id, { signal });
  return s ? toStudy(s) : null;
}

const TRIAL_FIELDS = `id number state params value workerId startedAt finishedAt error
  suggestion { sampler mean std acquisition }`;

interface WireTrial {
  id: string;
  number: number;
  state: Trial['state'];
  params: Trial['params'];
  value: number | null;
  workerId: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  suggestion: { sampler: string; mean: number | null; std: number | null; acquisition: number | null } | null;
}

export const fromWireTrial = (t: WireTrial): Trial => ({ ...t, params: t.params ?? {} });

async function trialsPage(
  studyId: string,
  sort: 'NUMBER_ASC' | 'NUMBER_DESC',
  after: string | null,
  signal?: AbortSignal,
): Promise<{ nodes: Trial[]; endCursor: string | null; hasNextPage: boolean } | null> {
  const data: {
    study: {
      trials: { nodes: WireTrial[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } };
    } | null;
  } = await gql(
    `query StudyTrialsPage($id: ID!, $after: String, $sort: TrialSort) { study(id: $id) {
      trials(first: 500, after: $after, sort: $sort) { nodes { ${TRIAL_FIELDS} } pageInfo { endCursor hasNextPage } } } }`,
    { id: studyId, after, sort },
    signal,
  );
  if (!data.study) return null;
  const t = data.study.trials;
  return {
    nodes: t.nodes.map(fromWireTrial),
    endCursor: t.pageInfo.endCursor,
    hasNextPage: t.pageInfo.hasNextPage,
  };
}

/**
 * Every trial of a study in pages of 500 (the API's maximum), read from both ends at once (ascending and
 * descending trial numbers) until the two meet, so a 10,000-trial study takes half the round trips.
 * Each page goes to `onPage` as it lands so charts draw while the rest arrives.
 */
export async function loadAllTrials(
  studyId: string,
  onPage: (trials: Trial[]) => void,
  signal?: AbortSignal,
): Promise<void> {
  await readBothEnds(
    (sort, after) => trialsPage(studyId, sort, after, signal),
    onPage,
    () => signal?.aborted === true,
  );
}

type TableRow = [
  string,
  number,
  Trial['state'],
  number | null,
  string | null,
  number | null,
  number | null,
  string | null,
  unknown[],
  [string, number | null, number | null, number | null] | null,
];

const isoOf = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** `Study.trialTable` rows back to trials (the compact format is documented on the API field). */
export function fromTrialTable(params: readonly string[], rows: readonly TableRow[]): Trial[] {
  return rows.map((r) => {
    const values: Trial['params'] = {};
    r[8].forEach((v, i) => {
      const name = params[i];
      if (name !== undefined && (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean'))
        values[name] = v;
    });
    const s = r[9];
    return {
      id: r[0],
      number: r[1],
      state: r[2],
      value: r[3],
      workerId: r[4],
      startedAt: isoOf(r[5]),
      finishedAt: isoOf(r[6]),
      error: r[7],
      params: values,
      suggestion: s ? { sampler: s[0] || '—', mean: s[1], std: s[2], acquisition: s[3] } : null,
    };
  });
}

/**
 * Every trial of a study in one request (`Study.trialTable`, one compact JSON value) instead of
 * pages of 500 trial objects. Falls back to `loadAllTrials` when the API lacks the field or the study
 * has more trials than one table holds. `onPage` gets the trials as they land, like `loadAllTrials`.
 */
export async function loadTrials(
  studyId: string,
  onPage: (trials: Trial[]) => void,
  signal?: AbortSignal,
): Promise<void> {
  const table = await fetchTrialTable(studyId, signal);
  if (signal?.aborted) return;
  if (table) {
    onPage(fromTrialTable(table.params, table.rows));
    if (table.rows.length >= table.total) return;
  }
  await loadAllTrials(studyId, onPage, signal);
}

/** `Study.trialTable`, or null when the API predates the field (the caller then pages). */
async function fetchTrialTable(studyId: string, signal?: AbortSignal): Promise<TrialTableAnswer | null> {
  try {
    const data = await gql<{ study: { trialTable: TrialTableAnswer } | null }>(
      TRIAL_TABLE_QUERY,
      { id: studyId },
      signal,
    );
    // A study that is gone (or not ours) has no trials to page through either.
    return data.study ? data.study.trialTable : { total: 0, params: [], rows: [] };
  } catch (e) {
    if (e instanceof PosteriorError && (e.code === 'GRAPHQL_VALIDATION_FAILED' || e.code === 'BAD_REQUEST'))
      return null;
    throw e;
  }
}

/** Finished trials' values in one cheap request: enough for the convergence plot before the trials land. */
export async function loadHistory(studyId: string, signal?: AbortSignal): Promise<Trial[]> {
  const data = await gql<{
    study: {
      history: Array<{ trialId: string; number: number; state: Trial['state']; value: number | null }>;
    } | null;
  }>(
    'query History($id: ID!) { study(id: $id) { history { trialId number state value } } }',
    { id: studyId },
    signal,
  );
  return (data.study?.history ?? []).map((h) => ({
    id: h.trialId,
    number: h.number,
    state: h.state,
    value: h.value,
    params: {},
    startedAt: null,
    finishedAt: null,
    workerId: null,
    error: null,
    suggestion: null,
  }));
}

/**
 * Every metric curve of a study in one request (`Study.curves`, compact arrays). Returns null when the
 * API predates that field, so the caller can fall back to `loadMetricsOf`.
 */
export async function loadCurves(studyId: string, signal?: AbortSignal): Promise<MetricPoint[] | null> {
  let data: {
    study: { curves: Array<{ trialId: string; name: string; steps: number[]; values: number[] }> } | null;
  };
  try {
    data = await gql('query Curves($id: ID!) { study(id: $id) { curves } }', { id: studyId }, signal);
  } catch (e) {
    if (e instanceof PosteriorError && (e.code === 'GRAPHQL_VALIDATION_FAILED' || e.code === 'BAD_REQUEST'))
      return null;
    throw e;
  }
  const points: MetricPoint[] = [];
  for (const c of data.study?.curves ?? []) {
    for (let i = 0; i < c.steps.length; i++) {
      points.push({
        trialId: c.trialId,
        name: c.name,
        step: c.steps[i] ?? 0,
        value: c.values[i] ?? 0,
        time: '',
      });
    }
  }
  return points;
}

/**
 * Metric points of the given trials (for the learning curves). The API prices each trial's `metrics`
 * list as 200 points against a 20,000 budget per operation, so trials go in batches of BATCH aliased
 * `trial(id)` fields, a few batches in flight at once; `onBatch` gets each batch as it lands.
 */
export async function loadMetricsOf(
  trialIds: readonly string[],
  onBatch: (points: MetricPoint[]) => void,
  signal?: AbortSignal,
  { batch = 30, concurrency = 3 }: { batch?: number; concurrency?: number } = {},
): Promise<void> {
  const batches: string[][] = [];
  for (let i = 0; i < trialIds.length; i += batch) batches.push(trialIds.slice(i, i + batch));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      if (signal?.aborted) return;
      const ids = batches[next++] ?? [];
      const fields = ids
        .map((id, i) => `t${i}: trial(id: ${JSON.stringify(id)}) { id metrics { name step value } }`)
        .join('\n');
      const data = await gql<
        Record<string, { id: string; metrics: Array<{ name: string; step: number; value: number }> } | null>
      >(`query TrialCurves { ${fields} }`, {}, signal);
      const points: MetricPoint[] = [];
      for (const t of Object.values(data)) {
        if (!t) continue;
        for (const m of t.metrics)
          points.push({ trialId: t.id, name: m.name, step: m.step, value: m.value, time: '' });
      }
      onBatch(points);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
}

export async function loadImportance(studyId: string, signal?: AbortSignal): Promise<ParamImportance[]> {
  const data = await gql<{ study: { importance: ParamImportance[] } | null }>(
    'query Importance($id: ID!) { study(id: $id) { importance { param importance } } }',
    { id: studyId },
    signal,
  );
  return data.study?.importance ?? [];
}

export async function loadSurrogate(
  studyId: string,
  param: string,
  signal?: AbortSignal,
): Promise<SurrogateSlice | null> {
  const data = await gql<{
    study: {
      surrogate: {
        param: string;
        points: Array<{ x: unknown; mean: number; std: number; acquisition: number }>;
        sourcePoints: Array<{ studyId: string; x: unknown; value: number }>;
      } | null;
    } | null;
  }>(
    `query Surrogate($id: ID!, $param: String!) { study(id: $id) { surrogate(param: $param, points: 100) {
      param points { x mean std acquisition } sourcePoints { studyId x value } } } }`,
    { id: studyId, param },
    signal,
  );
  const s = data.study?.surrogate;
  if (!s || s.points.length === 0) return null;
  const pts = s.points.filter((p) => typeof p.x === 'number');
  return {
    param: s.param,
    x: pts.map((p) => Number(p.x)),
    mean: pts.map((p) => p.mean),
    std: pts.map((p) => p.std),
    acquisition: pts.map((p) => p.acquisition),
    sourcePoints: (s.sourcePoints ?? [])
      .filter((p) => typeof p.x === 'number')
      .map((p) => ({ studyId: p.studyId, x: Number(p.x), value: p.value })),
  };
}

export async function loadReport(studyId: string): Promise<string | null> {
  const data = await gql<{ study: { report: string } | null }>(
    'query Report($id: ID!) { study(id: $id) { report } }',
    { id: studyId },
  );
  return data.study?.report ?? null;
}

export interface TeamDetail {
  id: string;
  name: string;
  role: Role;
  members: Member[];
  apiTokens: ApiToken[] | null;
  /** Pending invitations (admins and owners only). */
  invitations: PendingInvitation[] | null;
}

const INVITATION_FIELDS = 'id teamId teamName email role state createdAt expiresAt invitedBy { email name }';

interface WireInvitation {
  id: string;
  teamId: string;
  teamName: string;
  email: string;
  role: Role;
  state: PendingInvitation['state'];
  createdAt: string;
  expiresAt: string;
  invitedBy: { email: string; name: string | null } | null;
}

function toInvitation(i: WireInvitation): PendingInvitation {
  return {
    id: i.id,
    teamId: i.teamId,
    teamName: i.teamName,
    email: i.email,
    role: i.role,
    state: i.state,
    invitedBy: i.invitedBy ? (i.invitedBy.name ?? i.invitedBy.email) : null,
    createdAt: i.createdAt,
    expiresAt: i.expiresAt,
  };
}

/** Invitations addressed to the signed-in user, newest first. */
export async function loadMyInvitations(signal?: AbortSignal): Promise<PendingInvitation[]> {
  const data = await gql<{ myInvitations: WireInvitation[] }>(
    `query MyInvitations { myInvitations { ${INVITATION_FIELDS} } }`,
    {},
    signal,
  );
  return data.myInvitations.map(toInvitation);
}

export async function loadTeam(teamId: string, signal?: AbortSignal): Promise<TeamDetail | null> {
  type WireTeam = {
    id: string;
    name: string;
    role: Role;
    members: Array<{ role: Role; user: { id: string; email: string; name: string | null } }>;
  };
  const base = await gql<{ team: WireTeam | null }>(
    'query TeamSettings($id: ID!) { team(id: $id) { id name role members { role user { id email name } } } }',
    { id: teamId },
    signal,
  );
  const t = base.team;
  if (!t) return null;
  let apiTokens: ApiToken[] | null = null;
  let invitations: PendingInvitation[] | null = null;
  if (t.role === 'OWNER' || t.role === 'ADMIN') {
    const tok = await gql<{
      team: {
        invitations: WireInvitation[];
        apiTokens: Array<{
          id: string;
          name: string;
          role: Role;
          createdAt: string;
          lastUsedAt: string | null;
          revokedAt: string | null;
        }>;
      } | null;
    }>(
      `query TeamTokens($id: ID!) { team(id: $id) { apiTokens { id name role createdAt lastUsedAt revokedAt }
        invitations { ${INVITATION_FIELDS} } } }`,
      { id: teamId },
      signal,
    );
    apiTokens = (tok.team?.apiTokens ?? []).map((a) => ({
      id: a.id,
      name: a.name,
      role: a.role,
      createdAt: a.createdAt,
      lastUsedAt: a.lastUsedAt,
      revoked: a.revokedAt !== null,
    }));
    invitations = (tok.team?.invitations ?? []).map(toInvitation);
  }
  return {
    id: t.id,
    name: t.name,
    role: t.role,
    members: t.members.map((m) => ({
      userId: m.user.id,
      email: m.user.email,
      name: m.user.name,
      role: m.role,
    })),
    apiTokens,
    invitations,
  };
}

export { toTrial };

/** Sets a study's budget (maxTrials); the API refuses less than the trials already used. */
export async function setStudyBudget(studyId: string, maxTrials: number): Promise<void> {
  await gql('mutation SetBudget($id: ID!, $n: Int!) { setStudyBudget(id: $id, maxTrials: $n) { id } }', {
    id: studyId,
    n: maxTrials,
  });
}

/** Deletes a study with its trials, metrics and checkpoints (admins; not while RUNNING). */
export async function deleteStudy(studyId: string): Promise<void> {
  await gql('mutation DeleteStudy($id: ID!) { deleteStudy(id: $id) }', { id: studyId });
}
