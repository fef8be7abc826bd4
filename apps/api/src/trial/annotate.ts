import type { Caller } from '../authz/caller.js';
import {
  type Attribute,
  type AttributeValue,
  MAX_NOTE_CHARS,
  mergeAttributes,
  validateAnnotation,
  validateTags,
} from '../common/annotations.js';
import { NotFoundError } from '../common/errors.js';
import type { TrialRecord } from '../common/trial-record.js';
import { Role } from '../db/index.js';
import { loadTrialAccess } from './trial-access.js';
import { publishTrial, type TrialDeps } from './trial-deps.js';
import { TRIAL_RETURNING, type TrialRow, trialRecord } from './trial-row.js';

/**
 * setTrialNote / setTrialTags / setTrialAttributes: annotations, settable on a trial in any state
 * (the terminal-trial trigger guards a finished trial's outcome, not these). MEMBER or above,
 * checked before the input so an outsider learns nothing from its shape. Each change publishes an
 * ANNOTATED trial event (on the wire: the event of the trial's state with `annotated: true`), so open
 * pages update live.
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
  return announced(deps, trialRecord(row));
}

function announced(deps: TrialDeps, record: TrialRecord): TrialRecord {
  publishTrial(deps, 'ANNOTATED', record);
  return record;
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

/**
 * Sets some of a trial's attributes (a null value removes its key; `replace` drops the others
 * first). The merge reads and writes under the row's lock, so concurrent setters of different keys
 * (a worker and a person at the dashboard) both land.
 */
export async function setTrialAttributes(
  deps: TrialDeps,
  caller: Caller | null,
  trialId: string,
  changes: ReadonlyArray<{ key: string; value?: AttributeValue | null }>,
  replace: boolean,
): Promise<TrialRecord> {
  await loadTrialAccess(deps.db, caller, trialId, Role.MEMBER);
  const row = await deps.db.tx(async (sql) => {
    const current = await sql.one<{ attributes: Attribute[] }>(
      'SELECT attributes FROM trials WHERE id = $1 FOR UPDATE',
      [trialId],
    );
    if (current === null) throw new NotFoundError('trial');
    const next = mergeAttributes(current.attributes ?? [], changes, replace);
    return sql.one<TrialRow>(
      `UPDATE trials SET attributes = $2::jsonb WHERE id = $1 RETURNING ${TRIAL_RETURNING}`,
      [trialId, JSON.stringify(next)],
    );
  });
  if (row === null) throw new NotFoundError('trial');
  return announced(deps, trialRecord(row));
}
