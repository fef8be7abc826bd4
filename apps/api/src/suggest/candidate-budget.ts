/**
 * Per suggestion, at most this many candidate coordinates (candidates x parameters) are scored:
 * the candidates a study asked for, fewer when it has many parameters. Keeps one suggestion's
 * acquisition search near the cost of the default (1,024 candidates) at 64 parameters, also for
 * studies stored before these bounds.
 */
export const CANDIDATE_COORDINATES = 1024 * 64;

/** QMC candidates a GP scores per suggestion (the optimizer itself allows 65,536). */
export const MAX_CANDIDATES = 4096;

export function candidateBudget(requested: number, params: number): number {
  return Math.max(
    16,
    Math.min(requested, MAX_CANDIDATES, Math.floor(CANDIDATE_COORDINATES / Math.max(1, params))),
  );
}
