import type { Caller } from '../authz/caller.js';
import { MAX_NOTE_CHARS, validateAnnotation, validateTags } from '../common/annotations.js';
import { NotFoundError } from '../common/errors.js';
import type { TrialRecord } from '../common/trial-record.js';
import { Role } from '../db/index.js';
import { loadTrialAccess } from './trial-access.js';
import type { TrialDeps } from './trial-deps.js';
import { TRIAL_RETURNING, type TrialRow, trialRecord } from './trial-row.js';

/**
 * setTrialNote / setTrialTags: annotations, settable on a trial in any state (the terminal-trial
 * trigger guards only state, value, params and finished_at). MEMBER or above, checked before the
 * input so an outsider learns nothing from its shape. No trial event: the lifecycle did not move.
 */
async function annotate(
  deps: TrialDeps,
  caller: Caller | null,
  trialId: string,
  column: 'note' | 'tags',
  validated: () => string | string[] | null,
): Promise<TrialRecord> {
  await loadTrialAccess(deps.db, caller, trialId, Role.MEMBER);
  const row = await deps.db.one<TrialRow>(
    `UPDATE trials SET ${column} = $2 WHERE id = $1 RETURNING ${TRIAL_RETURNING}`,
    [trialId, validated()],
  );
  if (row === null) throw new NotFoundError('trial');
  return trialRecord(row);
}

export function setTrialNote(
  deps: TrialDeps,
  caller: Caller | null,
  trialId: string,
  note: string | null,
): Promise<TrialRecord> {
  return annotate(deps, caller, trialId, 'note', () => validateAnnotation('note', note, MAX_NOTE_CHARS));
}

export function setTrialTags(
  deps: TrialDeps,
  caller: Caller | null,
  trialId: string,
  tags: readonly string[],
): Promise<TrialRecord> {
  return annotate(deps, caller, trialId, 'tags', () => validateTags(tags));
}
