import type * as sdk from '@posterior/sdk';
import type {
  CreateStudyInput,
  MetricPoint,
  PendingInvitation,
  SearchSpace,
  Study,
  StudySummary,
  Team,
  Trial,
} from '../types.ts';

/** The one place SDK (wire-checked) types become the dashboard's domain types. */

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

const suggestionOf = (s: sdk.Trial['suggestion']): Trial['suggestion'] => (s ? { ...s } : null);

/** A trial of the SDK (dates as Dates) as the dashboard keeps it: every field, dates as ISO text. */
export function toTrial(t: sdk.Trial): Trial {
  return {
    ...t,
    params: { ...t.params },
    createdAt: t.createdAt.toISOString(),
    startedAt: iso(t.startedAt),
    heartbeatAt: iso(t.heartbeatAt),
    finishedAt: iso(t.finishedAt),
    suggestion: suggestionOf(t.suggestion),
  };
}

/** A trial as a page of trials carries it (the generated TrialFields: already ISO text). */
export function fromWireTrial(
  t: sdk.TrialFieldsFragment,
): Trial & Omit<sdk.TrialFieldsFragment, 'params' | 'suggestion'> {
  return {
    ...t,
    params: (t.params ?? {}) as Trial['params'],
    suggestion: t.suggestion ? suggestionOf(t.suggestion) : null,
  };
}

type AnyInvitation = Omit<sdk.Invitation, 'createdAt' | 'expiresAt' | 'respondedAt' | 'invitedBy'> & {
  readonly createdAt: Date | string;
  readonly expiresAt: Date | string;
  readonly invitedBy: { readonly email: string; readonly name: string | null } | null;
};

const isoText = (d: Date | string): string => (typeof d === 'string' ? d : d.toISOString());

export function toInvitation(i: AnyInvitation): PendingInvitation {
  return {
    id: i.id,
    teamId: i.teamId,
    teamName: i.teamName,
    email: i.email,
    role: i.role,
    state: i.state,
    invitedBy: i.invitedBy ? (i.invitedBy.name ?? i.invitedBy.email) : null,
    createdAt: isoText(i.createdAt),
    expiresAt: isoText(i.expiresAt),
  };
}

export function toMetricPoint(p: sdk.MetricPoint): MetricPoint {
  return { trialId: p.trialId, name: p.name, step: p.step, value: p.value, time: p.time.toISOString() };
}

/**
 * The multi-objective fields of a study (issue 17) as the SDK reads them; optional, so a study of an
 * older API reads as single-objective.
 */
interface WireMultiObjective {
  objectives?: ReadonlyArray<{ readonly name: string; readonly direction: Study['direction'] }> | null;
  constraints?: ReadonlyArray<{ readonly name: string }> | null;
  isMultiObjective?: boolean | null;
  referencePoint?: { readonly values: readonly number[]; readonly source: 'STUDY' | 'INFERRED' } | null;
  paretoFront?: ReadonlyArray<{ readonly id: string }> | null;
  hypervolumeHistory?: ReadonlyArray<{ readonly trialNumber: number; readonly hypervolume: number }> | null;
}

export function toStudy(s: sdk.Study, history: number[] = []): Study {
  const mo = s as sdk.Study & WireMultiObjective;
  const c = s.trialCounts;
  const summary: StudySummary = {
    id: s.id,
    name: s.name,
    state: s.state,
    direction: s.direction,
    objective: s.objective,
    maxTrials: s.maxTrials,
    createdAt: s.createdAt.toISOString(),
    trialCounts: {
      waiting: c.WAITING ?? 0,
      running: c.RUNNING ?? 0,
      complete: c.COMPLETE ?? 0,
      pruned: c.PRUNED ?? 0,
      failed: c.FAILED ?? 0,
    },
    bestValue: s.bestTrial?.value ?? null,
    history,
  };
  return {
    ...summary,
    teamId: s.teamId,
    searchSpace: s.searchSpace.map((p) =>
      p.type === 'categorical' ? { ...p, choices: [...p.choices] } : { ...p },
    ) as SearchSpace,
    sampler: { ...s.sampler },
    pruner: s.pruner ? { ...s.pruner } : { type: 'none' },
    parallelism: s.parallelism,
    heartbeatTimeoutS: s.heartbeatTimeoutS,
    bestTrialId: s.bestTrial?.id ?? null,
    warmStartFrom: [...(s.warmStartFrom ?? [])],
    description: s.description ?? null,
    objectives: mo.objectives?.length
      ? mo.objectives.map((o) => ({ name: o.name, direction: o.direction }))
      : [{ name: s.objective, direction: s.direction }],
    constraints: (mo.constraints ?? []).map((x) => ({ name: x.name })),
    isMultiObjective: mo.isMultiObjective ?? (mo.objectives?.length ?? 1) > 1,
    referencePoint: mo.referencePoint
      ? { values: [...mo.referencePoint.values], source: mo.referencePoint.source }
      : null,
    paretoFrontIds: (mo.paretoFront ?? []).map((t) => t.id),
    hypervolumeHistory: (mo.hypervolumeHistory ?? []).map((h) => ({
      trialNumber: h.trialNumber,
      hypervolume: h.hypervolume,
    })),
  };
}

export function toTeam(t: sdk.Team, role: Team['role'] = null): Team {
  return { id: t.id, name: t.name, role };
}

function toJson(v: unknown): sdk.JsonValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(toJson);
  if (typeof v === 'object') {
    const out: Record<string, sdk.JsonValue> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toJson(x);
    return out;
  }
  return null;
}

export function toCreateStudyInput(input: CreateStudyInput): sdk.CreateStudyInput {
  const sampler = toJson(input.sampler) as Record<string, sdk.JsonValue>;
  const pruner = toJson(input.pruner) as Record<string, sdk.JsonValue>;
  // a single objective goes as objective + direction only (what every API version takes)
  const { objectives, constraints, referencePoint, ...rest } = input;
  return {
    ...rest,
    ...(objectives && objectives.length > 1 ? { objectives } : {}),
    ...(constraints && constraints.length > 0 ? { constraints } : {}),
    ...(referencePoint && objectives && objectives.length > 1 ? { referencePoint } : {}),
    sampler: { ...sampler, type: input.sampler.type },
    pruner: { ...pruner, type: input.pruner.type },
  };
}
