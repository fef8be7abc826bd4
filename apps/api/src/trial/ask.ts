import { callerUserId, decide, memberRoleSql, requireCaller, roleFor } from '../authz/authorization.js';
import type { Caller } from '../authz/caller.js';
import { BadUserInputError, NotFoundError } from '../common/errors.js';
import type { TrialRecord } from '../common/trial-record.js';
import { isUuid } from '../common/validate.js';
import { Role, StudyState } from '../db/index.js';
import { opsMetrics } from '../ops/index.js';
import { loadStudyHistory } from '../suggest/observations.js';
import { loadWarmStartSources } from '../suggest/warm-start-sources.js';
import {
  claimFresh,
  claimWaiting,
  insertClaimed,
  type KnownStudy,
  lockStudy,
  type Slot,
  studyAfter,
  studyLoad,
} from './ask-statements.js';
import { GroupCommit } from './group-commit.js';
import { markDoneIfSpent } from './study-done.js';
import { type SuggestionStudy, suggestFor, suggestsWithoutHistory } from './suggest-trials.js';
import { publishTrial, type TrialDeps } from './trial-deps.js';
import { TRIAL_COLUMNS, type TrialRow, trialRecord } from './trial-row.js';

export const MAX_ASK = 100;
export const MAX_REQUEST_KEY_CHARS = 200;
/** Claim attempts on a row other processes keep changing before taking the study lock instead. */
const CLAIM_ATTEMPTS = 3;
const MAX_KNOWN_STUDIES = 1000;

/** One askTrials call waiting in its study's batch. */
interface AskRequest {
  count: number;
  workerId: string | null;
  /** The client's key for this ask (askTrials `requestKey`), stored on the trials it claims. */
  requestKey: string | null;
  /** Authorization still to decide once the study's team is known (API tokens); null when done. */
  check: ((teamId: string) => void) | null;
}

/** Per request of a batch: its trials, or why it was refused. */
type AskAnswer = TrialRow[] | Error;

/**
 * askTrials, top to bottom in this file: check the input and the caller (`ask`), answer a retried
 * key (`askKeyed`), join the study's batch (`claim`), and serve a batch (`serve`): the claim
 * statement when the study's suggestions need no history (`serveFast`), else one transaction
 * under the study lock (`serveLocked`). The SQL is in ask-statements.ts, suggestions in
 * suggest-trials.ts, the sampler's history in observations.ts.
 *
 * Asks for one study that arrive while its previous batch runs wait and then share the next one
 * (GroupCommit, one batch in flight per study): one statement or one locked transaction serves
 * every asker queued in this process, with one synchronous commit. A worker is answered only once
 * its claim is on disk, and the WAL flush that costs is paid once per batch, not per trial: the
 * longer a flush takes, the more asks the next batch carries.
 */
export class TrialAsker {
  private readonly batches = new Map<string, GroupCommit<AskRequest, AskAnswer>>();
  private readonly studies = new Map<string, KnownStudy>();
  /** Keyed asks in flight in this process: a retry that arrives meanwhile waits for the same answer. */
  private readonly keyed = new Map<string, Promise<TrialRecord[]>>();

  constructor(private readonly deps: TrialDeps) {}

  async ask(
    caller: Caller | null,
    studyId: string,
    countInput: number | null | undefined,
    workerIdInput: string | null | undefined,
    requestKeyInput: string | null | undefined = null,
  ): Promise<TrialRecord[]> {
    const c = requireCaller(caller);
    if (!isUuid(studyId)) throw new NotFoundError('study');
    const count = countInput ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > MAX_ASK) {
      throw new BadUserInputError('count', `must be an integer between 1 and ${MAX_ASK}`);
    }
    const workerId = workerIdInput?.trim() || null;
    if (workerId !== null && workerId.length > 200)
      throw new BadUserInputError('workerId', 'must be at most 200 characters');
    const requestKey = requestKeyInput ?? null;
    if (requestKey !== null && (requestKey.length === 0 || requestKey.length > MAX_REQUEST_KEY_CHARS))
      throw new BadUserInputError('requestKey', `must be 1-${MAX_REQUEST_KEY_CHARS} characters`);
    let check: AskRequest['check'] = null;
    if (c.kind === 'token') {
      // A token's role is known: decide against the team the study row names (no query).
      check = (teamId) => {
        decide(roleFor(c, teamId, null), Role.MEMBER, 'study');
      };
    } else {
      const row = await this.deps.db.one<{ team_id: string; member_role: Role | null }>(
        `SELECT s.team_id, ${memberRoleSql('s.team_id', '$2')} AS member_role FROM studies s WHERE s.id = $1`,
        [studyId, callerUserId(c)],
      );
      decide(row && roleFor(c, row.team_id, row.member_role), Role.MEMBER, 'study');
    }

    if (requestKey !== null) {
      // Idempotent ask: the first attempt's trials if it claimed any (its answer was lost), else
      // a claim remembered under the key. The same key in flight here is joined, not claimed twice.
      // Per caller too: joining another caller's ask would skip this caller's (deferred) token check.
      const who = c.kind === 'token' ? `t:${c.tokenId}` : `u:${c.userId}`;
      const slot = `${studyId}\u0000${who}\u0000${requestKey}`;
      const inFlight = this.keyed.get(slot);
      if (inFlight) return inFlight;
      const answer = this.askKeyed(studyId, count, workerId, requestKey, check);
      this.keyed.set(slot, answer);
      try {
        return await answer;
      } finally {
        this.keyed.delete(slot);
      }
    }
    return this.claim(studyId, count, workerId, null, check);
  }

  /** The trials an earlier ask with this key claimed, or a new claim made under the key. */
  private async askKeyed(
    studyId: string,
    count: number,
    workerId: string | null,
    requestKey: string,
    check: AskRequest['check'],
  ): Promise<TrialRecord[]> {
    const earlier = await this.deps.db.rows<TrialRow & { team_id: string }>(
      `SELECT ${TRIAL_COLUMNS}, s.team_id FROM trials t JOIN studies s ON s.id = t.study_id
       WHERE t.study_id = $1 AND t.request_key = $2 ORDER BY t.number`,
      [studyId, requestKey],
      true,
    );
    const first = earlier[0];
    if (first === undefined) return this.claim(studyId, count, workerId, requestKey, check);
    check?.(first.team_id);
    opsMetrics.asks.inc();
    return earlier.map((row) => trialRecord(row));
  }

  private async claim(
    studyId: string,
    count: number,
    workerId: string | null,
    requestKey: string | null,
    check: AskRequest['check'],
  ): Promise<TrialRecord[]> {
    let batch = this.batches.get(studyId);
    if (batch === undefined) {
      const group: GroupCommit<AskRequest, AskAnswer> = new GroupCommit(
        (requests) => this.serve(studyId, requests),
        1,
        Number.POSITIVE_INFINITY,
        () => {
          if (this.batches.get(studyId) === group) this.batches.delete(studyId);
        },
      );
      batch = group;
      this.batches.set(studyId, batch);
    }
    const answer = await batch.submit({ count, workerId, requestKey, check });
    if (answer instanceof Error) throw answer;
    const trials = answer.map(trialRecord);
    opsMetrics.asks.inc();
    opsMetrics.trialsAsked.inc(trials.length);
    for (const trial of trials) publishTrial(this.deps, 'CLAIMED', trial);
    return trials;
  }

  /**
   * One batch: the claim statement while the study allows it (a row other processes keep changing
   * gets CLAIM_ATTEMPTS tries), else the locked path. Remembers the study row it leaves behind.
   */
  private async serve(studyId: string, batch: readonly AskRequest[]): Promise<AskAnswer[]> {
    let study = this.studies.get(studyId) ?? null;
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      if (study !== null && !suggestsWithoutHistory(study)) break;
      const served = await this.serveFast(studyId, study, batch);
      if (served.kind === 'answered') return served.answers;
      study = served.study;
      if (served.kind === 'locked') break;
    }
    return this.serveLocked(studyId, batch);
  }

  /** The single claim statement for suggestions made from `study` as this process last saw it. */
  private async serveFast(
    studyId: string,
    study: KnownStudy | null,
    batch: readonly AskRequest[],
  ): Promise<{ kind: 'answered'; answers: AskAnswer[] } | { kind: 'stale' | 'locked'; study: KnownStudy }> {
    const refused = refusals(batch, study);
    const slots = slotsOf(batch, refused);
    const room =
      study === null ? 0 : Math.min(slots.length, study.parallelism, study.maxTrials - study.budgetUsed);
    const suggestions =
      study === null
        ? []
        : await suggestFor(
            this.deps.suggester,
            suggestionStudy(studyId, study),
            { observed: [], pending: [] },
            study.nextTrialNumber,
            room,
          );
    const outcome = await claimFresh(this.deps.db, studyId, study, suggestions, slots);
    if (outcome.kind === 'missing') {
      this.studies.delete(studyId);
      throw new NotFoundError('study');
    }
    this.remember(studyId, outcome.study);
    // Not the version the suggestions were made for: retry with the row the statement returned.
    if (outcome.kind === 'stale') return { kind: 'stale', study: outcome.study };
    // WAITING trials go first, and they need the study lock.
    if (outcome.kind === 'waiting') return { kind: 'locked', study: outcome.study };
    if (outcome.kind === 'notRunning') return { kind: 'answered', answers: answersFor(batch, refused, []) };
    const { trials, running } = outcome;
    if (trials.length === 0 && running === 0 && outcome.study.budgetUsed >= outcome.study.maxTrials) {
      // Nothing handed out and nothing in flight: the budget is spent.
      if (await markDoneIfSpent(this.deps.db, studyId)) this.studyDone(studyId);
    }
    return { kind: 'answered', answers: answersFor(batch, refused, trials) };
  }

  /**
   * The batch under the study row lock, in one transaction: WAITING trials first, then fresh
   * suggestions that see the history (GP), the claims before them as pending, and the taken points
   * of a finite space. Askers of one study take turns here, so parallelism and maxTrials are exact.
   */
  private async serveLocked(studyId: string, batch: readonly AskRequest[]): Promise<AskAnswer[]> {
    let refused = new Map<AskRequest, Error>();
    const { bySlot, done, study } = await this.deps.db.tx(async (sql) => {
      const locked = await lockStudy(sql, studyId);
      if (locked === null) throw new NotFoundError('study');
      refused = refusals(batch, { teamId: locked.team_id });
      const slots = slotsOf(batch, refused);
      const bySlot: TrialRow[] = [];
      let done = false;
      if (locked.state === StudyState.RUNNING && slots.length > 0) {
        const { running, waiting } = await studyLoad(sql, studyId);
        const room = Math.min(slots.length, locked.parallelism - running);
        if (room > 0 && waiting > 0) bySlot.push(...(await claimWaiting(sql, studyId, slots.slice(0, room))));
        const fresh = Math.max(0, Math.min(room - bySlot.length, locked.max_trials - locked.budget_used));
        let exhausted = false;
        if (fresh > 0) {
          const target = suggestionStudy(studyId, {
            teamId: locked.team_id,
            searchSpace: locked.search_space,
            sampler: locked.sampler,
            direction: locked.direction,
            objective: locked.objective,
            objectives: locked.objectives,
            constraints: locked.constraints,
            referencePoint: locked.reference_point,
          });
          const history = suggestsWithoutHistory(target)
            ? { observed: [], pending: [] }
            : await loadStudyHistory(sql, studyId, locked.objective);
          const sources = await loadWarmStartSources(sql, locked);
          const suggestions = await suggestFor(
            this.deps.suggester,
            target,
            history,
            locked.next_trial_number,
            fresh,
            sources,
          );
          const mine = slots.slice(bySlot.length, bySlot.length + fresh);
          const created = await insertClaimed(sql, studyId, suggestions, mine);
          // Fewer suggestions than asked: a finite space with every point taken or running.
          exhausted = created.length < fresh;
          bySlot.push(...created.sort((a, b) => a.number - b.number));
        }
        // Nothing left to hand out and nothing in flight: the budget is spent or the space exhausted.
        if (bySlot.length === 0 && running === 0 && waiting === 0) {
          if (locked.budget_used >= locked.max_trials || exhausted) {
            done = await markDoneIfSpent(sql, studyId, exhausted);
          }
        }
      }
      return { bySlot, done, study: await studyAfter(sql, locked) };
    });
    this.remember(studyId, study);
    if (done) this.studyDone(studyId);
    return answersFor(batch, refused, bySlot);
  }

  private studyDone(studyId: string): void {
    this.deps.logger.info({ studyId }, 'study budget spent: DONE');
  }

  private remember(studyId: string, study: KnownStudy): void {
    if (!this.studies.has(studyId) && this.studies.size >= MAX_KNOWN_STUDIES) this.studies.clear();
    this.studies.set(studyId, study);
  }
}

function suggestionStudy(
  studyId: string,
  study: Pick<
    KnownStudy,
    | 'teamId'
    | 'searchSpace'
    | 'sampler'
    | 'direction'
    | 'objective'
    | 'objectives'
    | 'constraints'
    | 'referencePoint'
  >,
): SuggestionStudy {
  return {
    id: studyId,
    teamId: study.teamId,
    searchSpace: study.searchSpace,
    sampler: study.sampler,
    direction: study.direction,
    objective: study.objective,
    objectives: study.objectives,
    constraints: study.constraints,
    referencePoint: study.referencePoint,
  };
}

/** Each request's refusal by the token check against the study's team (absent when allowed). */
function refusals(batch: readonly AskRequest[], study: { teamId: string } | null): Map<AskRequest, Error> {
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

/** One slot per trial wanted, in request order, skipping refused requests. */
function slotsOf(batch: readonly AskRequest[], refused: ReadonlyMap<AskRequest, Error>): Slot[] {
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
function answersFor(
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
