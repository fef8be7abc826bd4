import type { TrialRow } from '../graphql/mapping.js';

/** One askTrials call waiting in its study's batch. */
export interface AskRequest {
  count: number;
  workerId: string | null;
  /** Authorization still to decide once the study's team is known (API tokens); null when done. */
  check: ((teamId: string) => void) | null;
}

/** Per request of a batch: its trials, or why it was refused. */
export type AskAnswer = TrialRow[] | Error;

/** Each request's refusal by the token check against the study's team (absent when allowed). */
export function refusals(
  batch: readonly AskRequest[],
  study: { teamId: string } | null,
): Map<AskRequest, Error> {
  const refused = new Map<AskRequest, Error>();
  if (study === null) return refused;
  for (const request of batch) {
    try {
      request.check?.(study.teamId);
    } catch (error) {
      refused.set(request, error instanceof Error ? error : new Error(String(error)));
    }
  }
  return refused;
}

/** One worker id per trial wanted, in request order, skipping refused requests. */
export function slotsOf(
  batch: readonly AskRequest[],
  refused: ReadonlyMap<AskRequest, Error>,
): Array<string | null> {
  return batch
    .filter((request) => !refused.has(request))
    .flatMap((request) => Array.from({ length: request.count }, () => request.workerId));
}

/** Hands trials (by slot order) back to the requests that asked, refusals where refused. */
export function answersFor(
  batch: readonly AskRequest[],
  refused: ReadonlyMap<AskRequest, Error>,
  bySlot: readonly TrialRow[],
): AskAnswer[] {
  let next = 0;
  return batch.map((request) => {
    const error = refused.get(request);
    if (error) return error;
    const mine = bySlot.slice(next, next + request.count);
    next += request.count;
    return mine;
  });
}
