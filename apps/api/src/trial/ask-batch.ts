import type { TrialRow } from './trial-row.js';

/** One askTrials call waiting in its study's batch. */
export interface AskRequest {
  count: number;
  workerId: string | null;
  /** The client's key for this ask (askTrials `requestKey`), stored on the trials it claims. */
  requestKey: string | null;
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

/** One trial wanted by a request: who will run it, and the key of the ask that claims it. */
export interface Slot {
  workerId: string | null;
  requestKey: string | null;
}

/** One slot per trial wanted, in request order, skipping refused requests. */
export function slotsOf(batch: readonly AskRequest[], refused: ReadonlyMap<AskRequest, Error>): Slot[] {
  return batch
    .filter((request) => !refused.has(request))
    .flatMap((request) =>
      Array.from({ length: request.count }, () => ({
        workerId: request.workerId,
        requestKey: request.requestKey,
      })),
    );
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
