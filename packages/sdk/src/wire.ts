/**
 * The one place wire data becomes domain data: GraphQL answers arrive as loose JSON (dates as
 * strings, JSON scalars as anything); each converter checks the fields it needs and throws a
 * BAD_RESPONSE PosteriorError naming the field, so a schema drift fails loudly and early.
 */
import { DIRECTIONS, STUDY_STATES, TRIAL_STATES } from '@posterior/core';
import { PosteriorError } from './errors.js';
import type { TrialFieldsFragment } from './generated/graphql.js';
import type {
  ApiTokenSecret,
  Artifact,
  AuthPayload,
  HeartbeatResult,
  HistoryPoint,
  Invitation,
  InvitationState,
  JsonValue,
  Membership,
  MetricPoint,
  Page,
  ParamImportance,
  Params,
  ParamValue,
  PrunerConfig,
  RecommendedTrial,
  ReferencePoint,
  ReportResult,
  Role,
  SamplerConfig,
  SearchSpace,
  Study,
  Suggestion,
  SurrogateSlice,
  Team,
  Trial,
  TrialCounts,
  TrialDetail,
  TrialEvent,
  TrialEventType,
  TrialRun,
  User,
} from './types.js';

export type Wire = { readonly [key: string]: unknown };

function bad(what: string, value: unknown): PosteriorError {
  const shown = JSON.stringify(value);
  return new PosteriorError(
    'BAD_RESPONSE',
    `unexpected ${what}: ${shown === undefined ? 'undefined' : shown}`,
  );
}

export function obj(value: unknown, what: string): Wire {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(what, value);
  return value as Wire;
}

export function list(value: unknown, what: string): readonly unknown[] {
  if (!Array.isArray(value)) throw bad(what, value);
  return value;
}

function str(o: Wire, key: string): string {
  const v = o[key];
  // IDs may be serialized as numbers by some resolvers; the domain always uses strings.
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') throw bad(key, v);
  return v;
}

function optStr(o: Wire, key: string): string | null {
  const v = o[key];
  return v === null || v === undefined ? null : str(o, key);
}

function num(o: Wire, key: string): number {
  const v = o[key];
  if (typeof v !== 'number') throw bad(key, v);
  return v;
}

function optNum(o: Wire, key: string): number | null {
  const v = o[key];
  return v === null || v === undefined ? null : num(o, key);
}

function bool(o: Wire, key: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw bad(key, v);
  return v;
}

function oneOf<T extends string>(o: Wire, key: string, allowed: readonly T[]): T {
  const v = o[key];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw bad(key, v);
  return v as T;
}

function date(o: Wire, key: string): Date {
  const v = o[key];
  const d = typeof v === 'string' || typeof v === 'number' ? new Date(v) : undefined;
  if (d === undefined || Number.isNaN(d.getTime())) throw bad(key, v);
  return d;
}

function optDate(o: Wire, key: string): Date | null {
  const v = o[key];
  return v === null || v === undefined ? null : date(o, key);
}

/** JSON scalars may arrive as objects or, from some servers, as JSON text. */
function json(o: Wire, key: string): JsonValue {
  const v = o[key];
  if (typeof v === 'string') {
    try {
      return JSON.parse(v) as JsonValue;
    } catch {
      return v;
    }
  }
  return (v ?? null) as JsonValue;
}

const ROLES: readonly Role[] = ['OWNER', 'ADMIN', 'MEMBER', 'VIEWER'];
const EVENT_TYPES: readonly TrialEventType[] = ['CREATED', 'CLAIMED', 'COMPLETE', 'PRUNED', 'FAILED'];

export function toUser(value: unknown): User {
  const o = obj(value, 'user');
  return { id: str(o, 'id'), email: str(o, 'email'), name: optStr(o, 'name') };
}

export function toTeam(value: unknown): Team {
  const o = obj(value, 'team');
  return {
    id: str(o, 'id'),
    name: str(o, 'name'),
    role: oneOf(o, 'role', ROLES),
    createdAt: date(o, 'createdAt'),
  };
}

export function toMembership(value: unknown): Membership {
  const o = obj(value, 'membership');
  return {
    id: str(o, 'id'),
    teamId: str(o, 'teamId'),
    role: oneOf(o, 'role', ROLES),
    user: toUser(o.user),
    createdAt: date(o, 'createdAt'),
  };
}

const INVITATION_STATES: readonly InvitationState[] = [
  'PENDING',
  'ACCEPTED',
  'DECLINED',
  'REVOKED',
  'EXPIRED',
];

export function toInvitation(value: unknown): Invitation {
  const o = obj(value, 'invitation');
  return {
    id: str(o, 'id'),
    teamId: str(o, 'teamId'),
    teamName: str(o, 'teamName'),
    email: str(o, 'email'),
    role: oneOf(o, 'role', ROLES),
    state: oneOf(o, 'state', INVITATION_STATES),
    invitedBy: o.invitedBy === null || o.invitedBy === undefined ? null : toUser(o.invitedBy),
    createdAt: date(o, 'createdAt'),
    expiresAt: date(o, 'expiresAt'),
    respondedAt: optDate(o, 'respondedAt'),
  };
}

export function toAuthPayload(value: unknown): AuthPayload {
  const o = obj(value, 'auth payload');
  return { token: str(o, 'token'), user: toUser(o.user), expiresAt: date(o, 'expiresAt') };
}

export function toApiTokenSecret(value: unknown): ApiTokenSecret {
  const o = obj(value, 'api token');
  return { id: str(o, 'id'), token: str(o, 'token') };
}

function toParamValue(value: unknown, what: string): ParamValue {
  if (typeof value !== 'number' && typeof value !== 'string' && typeof value !== 'boolean')
    throw bad(what, value);
  return value;
}

function toParams(value: JsonValue): Params {
  const o = obj(value, 'params');
  const params: Record<string, ParamValue> = {};
  for (const [name, v] of Object.entries(o)) {
    params[name] = toParamValue(v, `param ${name}`);
  }
  return params;
}

function toSuggestion(value: unknown): Suggestion | null {
  if (value === null || value === undefined) return null;
  const o = obj(value, 'suggestion');
  return {
    sampler: str(o, 'sampler'),
    phase: optStr(o, 'phase'),
    mean: optNum(o, 'mean'),
    std: optNum(o, 'std'),
    acquisition: optNum(o, 'acquisition'),
    acquisitionName: optStr(o, 'acquisitionName'),
    // Servers before multi-objective studies (issue 17) send none of these.
    means: optNums(o, 'means'),
    stds: optNums(o, 'stds'),
    feasibility: optNum(o, 'feasibility'),
  };
}

/** A list of numbers, or null (absent: an older server). */
function optNums(o: Wire, key: string): number[] | null {
  const v = o[key];
  if (v === null || v === undefined) return null;
  return list(v, key).map((x) => {
    if (typeof x !== 'number') throw bad(key, x);
    return x;
  });
}

export function toTrial(value: unknown): Trial {
  const o = obj(value, 'trial');
  return {
    // A field the schema and TrialFields add reaches callers as generated; those below are checked.
    ...(o as unknown as TrialFieldsFragment),
    id: str(o, 'id'),
    studyId: str(o, 'studyId'),
    number: num(o, 'number'),
    state: oneOf(o, 'state', TRIAL_STATES),
    params: toParams(json(o, 'params')),
    value: optNum(o, 'value'),
    // Servers before multi-objective studies (issue 17): the one value, no constraints.
    values: o.values === undefined ? (typeof o.value === 'number' ? [o.value] : null) : optNums(o, 'values'),
    constraints: optNums(o, 'constraints'),
    feasible:
      o.feasible === undefined
        ? o.state === 'COMPLETE'
          ? true
          : null
        : o.feasible === null
          ? null
          : bool(o, 'feasible'),
    suggestion: toSuggestion(o.suggestion),
    workerId: optStr(o, 'workerId'),
    createdAt: date(o, 'createdAt'),
    startedAt: optDate(o, 'startedAt'),
    heartbeatAt: optDate(o, 'heartbeatAt'),
    finishedAt: optDate(o, 'finishedAt'),
    error: optStr(o, 'error'),
    retryOf: optStr(o, 'retryOf'),
    // Servers before annotations (issue 15 item 8) send neither: no note, no tags.
    note: optStr(o, 'note'),
    tags:
      o.tags === undefined
        ? []
        : list(o.tags, 'tags').map((tag) => {
            if (typeof tag !== 'string') throw bad('tags', tag);
            return tag;
          }),
    attributes: o.attributes === undefined ? [] : list(o.attributes, 'attributes').map(toAttribute),
    pruneStep: optNum(o, 'pruneStep'),
    pruneReason: optStr(o, 'pruneReason'),
  };
}

function toAttribute(value: unknown): { key: string; value: string | number | boolean } {
  const o = obj(value, 'attribute');
  const v = o.value;
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw bad('attribute', v);
  return { key: str(o, 'key'), value: v };
}

function toEnvironment(value: unknown): TrialRun['environment'] {
  if (value === null || value === undefined) return null;
  const o = obj(value, 'environment');
  return {
    backend: optStr(o, 'backend'),
    host: optStr(o, 'host'),
    platform: optStr(o, 'platform'),
    nodeVersion: optStr(o, 'nodeVersion'),
    workerId: optStr(o, 'workerId'),
    packages: list(o.packages ?? [], 'packages').map((p) => {
      const q = obj(p, 'package');
      return { name: str(q, 'name'), version: str(q, 'version') };
    }),
  };
}

export function toMetricPoint(value: unknown): MetricPoint {
  const o = obj(value, 'metric point');
  return {
    trialId: str(o, 'trialId'),
    name: str(o, 'name'),
    step: num(o, 'step'),
    value: num(o, 'value'),
    time: date(o, 'time'),
  };
}

export function toArtifact(value: unknown): Artifact {
  const o = obj(value, 'artifact');
  return {
    id: str(o, 'id'),
    trialId: str(o, 'trialId'),
    name: str(o, 'name'),
    contentType: str(o, 'contentType'),
    sizeBytes: num(o, 'sizeBytes'),
    sha256: str(o, 'sha256'),
    url: str(o, 'url'),
    createdAt: date(o, 'createdAt'),
  };
}

export function toTrialDetail(value: unknown): TrialDetail {
  const o = obj(value, 'trial');
  return {
    ...toTrial(o),
    logTail: optStr(o, 'logTail'),
    environment: toEnvironment(o.environment),
    metrics: list(o.metrics ?? [], 'metrics').map(toMetricPoint),
    artifacts: list(o.artifacts ?? [], 'artifacts').map(toArtifact),
  };
}

function toTrialCounts(value: unknown): TrialCounts {
  const o = obj(value ?? {}, 'trialCounts');
  const count = (key: string) => optNum(o, key) ?? 0;
  return {
    WAITING: count('waiting'),
    RUNNING: count('running'),
    COMPLETE: count('complete'),
    PRUNED: count('pruned'),
    FAILED: count('failed'),
    total: count('total'),
    retries: count('retries'),
  };
}

export function toStudy(value: unknown): Study {
  const o = obj(value, 'study');
  return {
    id: str(o, 'id'),
    teamId: str(o, 'teamId'),
    name: str(o, 'name'),
    state: oneOf(o, 'state', STUDY_STATES),
    direction: oneOf(o, 'direction', DIRECTIONS),
    objective: str(o, 'objective'),
    ...toObjectives(o),
    searchSpace: list(json(o, 'searchSpace'), 'searchSpace') as unknown as SearchSpace,
    sampler: obj(json(o, 'sampler'), 'sampler') as unknown as SamplerConfig,
    pruner: obj(json(o, 'pruner'), 'pruner') as unknown as PrunerConfig,
    maxTrials: num(o, 'maxTrials'),
    parallelism: num(o, 'parallelism'),
    heartbeatTimeoutS: num(o, 'heartbeatTimeoutS'),
    retryFailed: num(o, 'retryFailed'),
    // Servers before warm start (issue 18) do not send it: no sources.
    warmStartFrom:
      o.warmStartFrom === undefined
        ? []
        : list(o.warmStartFrom, 'warmStartFrom').map((id) => {
            if (typeof id !== 'string') throw bad('warmStartFrom', id);
            return id;
          }),
    description: optStr(o, 'description'),
    createdAt: date(o, 'createdAt'),
    updatedAt: date(o, 'updatedAt'),
    trialCounts: toTrialCounts(o.trialCounts),
    bestTrial: o.bestTrial === null || o.bestTrial === undefined ? null : toTrial(o.bestTrial),
    // Servers before multi-objective studies (issue 17): the best trial is the front.
    paretoFront:
      o.paretoFront === undefined
        ? o.bestTrial === null || o.bestTrial === undefined
          ? []
          : [toTrial(o.bestTrial)]
        : list(o.paretoFront, 'paretoFront').map(toTrial),
    hypervolumeHistory: list(o.hypervolumeHistory ?? [], 'hypervolumeHistory').map((p) => {
      const h = obj(p, 'hypervolumeHistory');
      return { trialNumber: num(h, 'trialNumber'), hypervolume: num(h, 'hypervolume') };
    }),
  };
}

/** A study's objectives, constraints and reference point; an older server's study has one objective. */
function toObjectives(
  o: Wire,
): Pick<Study, 'objectives' | 'constraints' | 'isMultiObjective' | 'referencePoint'> {
  const objectives =
    o.objectives === undefined
      ? [{ name: str(o, 'objective'), direction: oneOf(o, 'direction', DIRECTIONS) }]
      : list(o.objectives, 'objectives').map((v) => {
          const e = obj(v, 'objectives');
          return { name: str(e, 'name'), direction: oneOf(e, 'direction', DIRECTIONS) };
        });
  const constraints = list(o.constraints ?? [], 'constraints').map((v) => ({
    name: str(obj(v, 'constraints'), 'name'),
  }));
  let referencePoint: ReferencePoint | null = null;
  if (o.referencePoint !== null && o.referencePoint !== undefined) {
    const r = obj(o.referencePoint, 'referencePoint');
    referencePoint = {
      values: optNums(r, 'values') ?? [],
      source: oneOf(r, 'source', ['STUDY', 'INFERRED'] as const),
    };
  }
  return {
    objectives,
    constraints,
    isMultiObjective: typeof o.isMultiObjective === 'boolean' ? o.isMultiObjective : objectives.length >= 2,
    referencePoint,
  };
}

export function toTrialEvent(value: unknown): TrialEvent {
  const o = obj(value, 'trial event');
  return {
    type: oneOf(o, 'type', EVENT_TYPES),
    trial: toTrial(o.trial),
    seq: o.seq === undefined ? null : optNum(o, 'seq'),
    annotated: o.annotated === true,
  };
}

export function toHeartbeatResult(value: unknown): HeartbeatResult {
  return { shouldStop: bool(obj(value, 'heartbeat result'), 'shouldStop') };
}

export function toReportResult(value: unknown): ReportResult {
  const o = obj(value, 'report result');
  return {
    accepted: num(o, 'accepted'),
    inserted: num(o, 'inserted'),
    shouldPrune: bool(o, 'shouldPrune'),
    pruneReason: optStr(o, 'pruneReason'),
  };
}

export function toHistoryPoint(value: unknown): HistoryPoint {
  const o = obj(value, 'history point');
  return {
    trialId: str(o, 'trialId'),
    number: num(o, 'number'),
    state: oneOf(o, 'state', TRIAL_STATES),
    value: optNum(o, 'value'),
    bestSoFar: optNum(o, 'bestSoFar'),
  };
}

export function toRecommendedTrial(value: unknown): RecommendedTrial {
  const o = obj(value, 'recommended trial');
  return {
    trial: toTrial(o.trial),
    mean: optNum(o, 'mean'),
    std: optNum(o, 'std'),
    noiseStd: optNum(o, 'noiseStd'),
    source: oneOf(o, 'source', ['model', 'observed'] as const),
  };
}

export function toParamImportance(value: unknown): ParamImportance {
  const o = obj(value, 'param importance');
  return { param: str(o, 'param'), importance: num(o, 'importance'), lengthscale: optNum(o, 'lengthscale') };
}

export function toSurrogateSlice(value: unknown): SurrogateSlice {
  const o = obj(value, 'surrogate slice');
  return {
    param: str(o, 'param'),
    fixed: toParams(json(o, 'fixed')),
    points: list(o.points, 'surrogate points').map((raw) => {
      const p = obj(raw, 'surrogate point');
      return {
        x: toParamValue(json(p, 'x'), 'x'),
        mean: num(p, 'mean'),
        std: num(p, 'std'),
        acquisition: num(p, 'acquisition'),
      };
    }),
    sourcePoints: (o.sourcePoints === undefined ? [] : list(o.sourcePoints, 'source points')).map((raw) => {
      const p = obj(raw, 'source point');
      return { studyId: str(p, 'studyId'), x: toParamValue(json(p, 'x'), 'x'), value: num(p, 'value') };
    }),
  };
}

export function toPage<T>(value: unknown, convert: (node: unknown) => T, what: string): Page<T> {
  const o = obj(value, what);
  const info = obj(o.pageInfo, `${what}.pageInfo`);
  return {
    items: list(o.edges, `${what}.edges`).map((edge) => convert(obj(edge, `${what} edge`).node)),
    endCursor: optStr(info, 'endCursor'),
    hasNextPage: bool(info, 'hasNextPage'),
  };
}
