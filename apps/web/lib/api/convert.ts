import type * as sdk from '@posterior/sdk';
import type { Artifact, MetricPoint, SearchSpace, Study, StudySummary, Team, Trial } from '../types.ts';

/** The one place SDK (wire-checked) types become the dashboard's domain types. */

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

export function toTrial(t: sdk.Trial): Trial {
  return {
    id: t.id,
    number: t.number,
    state: t.state,
    params: { ...t.params },
    value: t.value,
    startedAt: iso(t.startedAt),
    finishedAt: iso(t.finishedAt),
    workerId: t.workerId,
    error: t.error,
    suggestion: t.suggestion
      ? {
          sampler: t.suggestion.sampler ?? '—',
          mean: t.suggestion.mean,
          std: t.suggestion.std,
          acquisition: t.suggestion.acquisition,
        }
      : null,
  };
}

export function toMetricPoint(p: sdk.MetricPoint): MetricPoint {
  return { trialId: p.trialId, name: p.name, step: p.step, value: p.value, time: p.time.toISOString() };
}

export function toArtifact(a: sdk.Artifact): Artifact {
  return { id: a.id, name: a.fileName, size: a.size, url: null };
}

export function toStudy(s: sdk.Study, history: number[] = []): Study {
  const c = s.trialCounts;
  const summary: StudySummary = {
    id: s.id,
    name: s.name,
    state: s.state,
    direction: s.direction,
    objective: s.objective,
    maxTrials: s.maxTrials,
    createdAt: s.createdAt.toISOString(),
    trialCounts: { waiting: c.WAITING ?? 0, running: c.RUNNING ?? 0, complete: c.COMPLETE ?? 0, pruned: c.PRUNED ?? 0, failed: c.FAILED ?? 0 },
    bestValue: s.bestTrial?.value ?? null,
    history,
  };
  return {
    ...summary,
    teamId: s.teamId,
    searchSpace: s.searchSpace.map((p) => (p.type === 'categorical' ? { ...p, choices: [...p.choices] } : { ...p })) as SearchSpace,
    sampler: { ...s.sampler },
    pruner: s.pruner ? { ...s.pruner } : { type: 'none' },
    parallelism: s.parallelism,
    bestTrialId: s.bestTrial?.id ?? null,
  };
}

export function toTeam(t: sdk.Team, role: Team['role'] = null): Team {
  return { id: t.id, name: t.name, role };
}
