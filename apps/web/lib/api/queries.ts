'use client';

import { TRIAL_TABLE_INFO_START } from '@posterior/core';
import { dashboard, type StudySort } from '@posterior/sdk';
import { readBothEnds } from '../paging';
import type {
  ApiToken,
  Member,
  MetricPoint,
  ParamImportance,
  PendingInvitation,
  Recommended,
  Role,
  Study,
  StudySummary,
  SurrogateSlice,
  Trial,
} from '../types';
import { getClient } from './client';
import { fromWireTrial, toInvitation, toStudy, toTrial } from './convert';

/** The dashboard's reads and writes, all through the SDK (its operations are typed from the schema). */

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
  const page = await dashboard.studiesList(
    getClient(),
    {
      teamId,
      first,
      after,
      states: filter.states.length ? filter.states : null,
      nameContains: filter.nameContains || null,
      sort: filter.sort,
    },
    { signal },
  );
  return {
    studies: page.nodes.map((s) => ({
      id: s.id,
      name: s.name,
      state: s.state,
      direction: s.direction,
      objective: s.objective,
      maxTrials: s.maxTrials,
      createdAt: s.createdAt,
      trialCounts: { ...s.trialCounts },
      bestValue: s.bestTrial?.value ?? null,
      history: s.history.filter((h) => h.state === 'COMPLETE' && h.value !== null).map((h) => h.value ?? 0),
    })),
    endCursor: page.pageInfo.endCursor,
    hasNextPage: page.pageInfo.hasNextPage,
    totalCount: page.totalCount,
  };
}

export async function loadStudy(id: string, signal?: AbortSignal): Promise<Study | null> {
  const s = await getClient().study(id, { signal });
  return s ? toStudy(s) : null;
}

/** A page of 500 trials (the API's maximum) from either end of the trial numbers. */
async function trialsPage(
  studyId: string,
  sort: 'NUMBER_ASC' | 'NUMBER_DESC',
  after: string | null,
  signal?: AbortSignal,
): Promise<{ nodes: Trial[]; endCursor: string | null; hasNextPage: boolean } | null> {
  const page = await dashboard.trialsPage(getClient(), studyId, { sort, after, first: 500 }, { signal });
  return page && { ...page, nodes: page.nodes.map(fromWireTrial) };
}

/**
 * Every trial of a study in pages of 500, read from both ends at once (ascending and descending
 * trial numbers) until the two meet, so a large study takes half the round trips. Each page goes to
 * `onPage` as it lands so charts draw while the rest arrives.
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

const isoOf = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * `Study.trialTable` back to trials (the row format is the SDK's TrialTableRow): the informational
 * fields the table names in `info` come after the suggestion and land on the trial by those names.
 */
export function fromTrialTable(table: Pick<dashboard.TrialTable, 'params' | 'info' | 'rows'>): Trial[] {
  const { params, info, rows } = table;
  return rows.map((r) => {
    const values: Trial['params'] = {};
    r[8].forEach((v, i) => {
      const name = params[i];
      if (name !== undefined && (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean'))
        values[name] = v;
    });
    const s = r[9];
    const trial: Trial = {
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
    // values, constraints, feasible (issue 17), then the informational fields by name.
    Object.assign(trial, { values: r[10], constraints: r[11], feasible: r[12] });
    info.forEach((name, i) => {
      (trial as unknown as Record<string, unknown>)[name] = r[TRIAL_TABLE_INFO_START + i] ?? null;
    });
    return trial;
  });
}

/**
 * Every trial of a study in one request (`Study.trialTable`, one compact JSON value) instead of
 * pages of 500 trial objects; pages the rest when the study has more trials than one table holds.
 * `onPage` gets the trials as they land.
 */
export async function loadTrials(
  studyId: string,
  onPage: (trials: Trial[]) => void,
  signal?: AbortSignal,
): Promise<void> {
  // A study that is gone (or not ours) has no trials to page through either.
  const table = await dashboard.trialTable(getClient(), studyId, { signal });
  if (signal?.aborted || !table) return;
  onPage(fromTrialTable(table));
  if (table.rows.length >= table.total) return;
  await loadAllTrials(studyId, onPage, signal);
}

/** Finished trials' values in one cheap request: enough for the convergence plot before the trials land. */
export async function loadHistory(studyId: string, signal?: AbortSignal): Promise<Trial[]> {
  const history = await getClient().studyHistory(studyId, { signal });
  return history.map((h) => ({
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

/** Every metric curve of a study in one request (`Study.curves`, compact arrays), as points. */
export async function loadCurves(studyId: string, signal?: AbortSignal): Promise<MetricPoint[]> {
  const points: MetricPoint[] = [];
  for (const c of await dashboard.studyCurves(getClient(), studyId, { signal })) {
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
 * The trial the model would keep (`Study.recommendedTrial`: lowest posterior mean among completed
 * trials), with its mean ± std; null while the study has no completed trial.
 */
export async function loadRecommended(studyId: string, signal?: AbortSignal): Promise<Recommended | null> {
  const r = await getClient().studyRecommendedTrial(studyId, { signal });
  if (!r) return null;
  return {
    trialId: r.trial.id,
    number: r.trial.number,
    value: r.trial.value,
    mean: r.mean,
    std: r.std,
    noiseStd: r.noiseStd,
    source: r.source,
  };
}

/** `objective`: the objective's name in a multi-objective study; null: the first (the API's default). */
export async function loadImportance(
  studyId: string,
  objective: string | null,
  signal?: AbortSignal,
): Promise<ParamImportance[]> {
  const importance = await getClient().studyImportance(studyId, {
    signal,
    ...(objective !== null ? { objective } : {}),
  });
  return importance.map((p) => ({ param: p.param, importance: p.importance }));
}

export async function loadSurrogate(
  studyId: string,
  param: string,
  objective: string | null,
  signal?: AbortSignal,
): Promise<SurrogateSlice | null> {
  const s = await getClient().studySurrogate(studyId, param, 100, {
    signal,
    ...(objective !== null ? { objective } : {}),
  });
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
  return getClient().studyReport(studyId);
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

/** Invitations addressed to the signed-in user, newest first. */
export async function loadMyInvitations(): Promise<PendingInvitation[]> {
  return (await getClient().myInvitations()).map(toInvitation);
}

export async function loadTeam(teamId: string, signal?: AbortSignal): Promise<TeamDetail | null> {
  const client = getClient();
  const t = await dashboard.teamSettings(client, teamId, { signal });
  if (!t) return null;
  let apiTokens: ApiToken[] | null = null;
  let invitations: PendingInvitation[] | null = null;
  if (t.role === 'OWNER' || t.role === 'ADMIN') {
    const admin = await dashboard.teamAdmin(client, teamId, { signal });
    apiTokens = (admin?.apiTokens ?? []).map((a) => ({
      id: a.id,
      name: a.name,
      role: a.role,
      createdAt: a.createdAt,
      lastUsedAt: a.lastUsedAt,
      revoked: a.revokedAt !== null,
    }));
    invitations = (admin?.invitations ?? []).map(toInvitation);
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
  await dashboard.setStudyBudget(getClient(), studyId, maxTrials);
}

/** Deletes a study with its trials, metrics and checkpoints (admins; not while RUNNING). */
export async function deleteStudy(studyId: string): Promise<void> {
  await dashboard.deleteStudy(getClient(), studyId);
}
