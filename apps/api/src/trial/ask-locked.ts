import { NotFoundError } from '../common/errors.js';
import { StudyState } from '../db/index.js';
import { STUDY_COLUMNS, type StudyRow } from '../study/study-row.js';
import { type AskAnswer, type AskRequest, answersFor, refusals, slotsOf } from './ask-batch.js';
import type { KnownStudy } from './claim-statement.js';
import { markDoneIfSpent } from './study-done.js';
import { suggestAndInsert } from './suggest-trials.js';
import type { TrialDeps } from './trial-deps.js';
import { TRIAL_COLUMNS, type TrialRow } from './trial-row.js';

type StudyLockRow = StudyRow & { budget_used: number };

/**
 * An ask batch under the study row lock, in one transaction: WAITING trials first, then fresh
 * suggestions that see the history (GP), the claims before them as pending, and the taken points
 * of a finite space. Askers of one study take turns here, so parallelism and maxTrials are exact.
 * Returns the study row as it left it, for the next batch's claim statement.
 */
export async function askLocked(
  deps: TrialDeps,
  studyId: string,
  batch: readonly AskRequest[],
): Promise<{ answers: AskAnswer[]; study: KnownStudy }> {
  let refused = new Map<AskRequest, Error>();
  const { bySlot, done, study } = await deps.db.tx(async (sql) => {
    const locked = await sql.one<StudyLockRow>(
      `SELECT ${STUDY_COLUMNS}, s.budget_used FROM studies s WHERE s.id = $1 FOR NO KEY UPDATE OF s`,
      [studyId],
    );
    if (locked === null) throw new NotFoundError('study');
    refused = refusals(batch, { teamId: locked.team_id });
    const slots = slotsOf(batch, refused);
    const bySlot: TrialRow[] = [];
    let done = false;
    if (locked.state === StudyState.RUNNING && slots.length > 0) {
      const counts = await sql.one<{ running: number; waiting: number }>(
        `SELECT count(*) FILTER (WHERE state = 'RUNNING')::int AS running,
                  count(*) FILTER (WHERE state = 'WAITING')::int AS waiting
           FROM trials WHERE study_id = $1 AND state IN ('RUNNING', 'WAITING')`,
        [studyId],
      );
      const running = counts?.running ?? 0;
      const waiting = counts?.waiting ?? 0;
      let room = Math.min(slots.length, locked.parallelism - running);
      if (room > 0 && waiting > 0) {
        // Enqueued trials first, oldest first; the i-th claimed goes to the i-th slot's worker.
        const claimed = await sql.rows<TrialRow & { rn: number }>(
          `WITH picked AS (
               SELECT id, number FROM trials WHERE study_id = $1 AND state = 'WAITING'
               ORDER BY number LIMIT $2 FOR UPDATE SKIP LOCKED),
             ranked AS (SELECT id, (row_number() OVER (ORDER BY number))::int AS rn FROM picked),
             bump AS (
               -- A new row version tells every process's claim statement that RUNNING trials changed.
               UPDATE studies SET next_trial_number = next_trial_number WHERE id = $1 AND EXISTS (SELECT 1 FROM picked))
             UPDATE trials t SET state = 'RUNNING', worker_id = ($3::text[])[ranked.rn],
               request_key = ($4::text[])[ranked.rn], started_at = clock_timestamp(),
               heartbeat_at = clock_timestamp()
             FROM ranked WHERE t.id = ranked.id
             RETURNING ${TRIAL_COLUMNS}, ranked.rn`,
          [
            studyId,
            room,
            slots.slice(0, room).map((slot) => slot.workerId),
            slots.slice(0, room).map((slot) => slot.requestKey),
          ],
        );
        claimed.sort((a, b) => a.rn - b.rn);
        bySlot.push(...claimed);
        room -= claimed.length;
      }
      const fresh = Math.max(0, Math.min(room, locked.max_trials - locked.budget_used));
      let exhausted = false;
      if (fresh > 0) {
        const mine = slots.slice(bySlot.length, bySlot.length + fresh);
        const created = await suggestAndInsert(sql, deps.suggester, locked, fresh, mine);
        // Fewer suggestions than asked: a finite space with every point taken or running.
        exhausted = created.length < fresh;
        bySlot.push(...created.sort((a, b) => a.number - b.number));
      }
      if (bySlot.length === 0 && running === 0 && waiting === 0) {
        // Nothing left to hand out and nothing in flight: the budget is spent or the space exhausted.
        if (locked.budget_used >= locked.max_trials || exhausted) {
          done = await markDoneIfSpent(sql, studyId, exhausted);
        }
      }
    }
    // The row as this transaction leaves it (the lock is still held: nobody else changed it).
    const after = await sql.one<{
      v: string;
      budget_used: number;
      next_trial_number: number;
      state: StudyState;
    }>('SELECT xmin::text AS v, budget_used, next_trial_number, state FROM studies WHERE id = $1', [studyId]);
    const study: KnownStudy = {
      version: after?.v ?? null,
      teamId: locked.team_id,
      state: after?.state ?? locked.state,
      direction: locked.direction,
      objective: locked.objective,
      searchSpace: locked.search_space,
      sampler: locked.sampler,
      parallelism: locked.parallelism,
      maxTrials: locked.max_trials,
      budgetUsed: after?.budget_used ?? locked.budget_used,
      nextTrialNumber: after?.next_trial_number ?? locked.next_trial_number,
    };
    return { bySlot, done, study };
  });
  if (done) deps.logger.info({ studyId }, 'study budget spent: DONE');
  return { answers: answersFor(batch, refused, bySlot), study };
}
