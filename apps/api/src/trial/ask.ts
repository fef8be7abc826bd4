import { callerUserId, decide, memberRoleSql, requireCaller, roleFor } from '../authz/authorization.js';
import type { Caller } from '../authz/caller.js';
import { BadUserInputError, NotFoundError } from '../common/errors.js';
import type { TrialRecord } from '../common/trial-record.js';
import { isUuid } from '../common/validate.js';
import { Role } from '../db/index.js';
import { opsMetrics } from '../ops/index.js';
import { type AskAnswer, type AskRequest, answersFor, refusals, slotsOf } from './ask-batch.js';
import { askLocked } from './ask-locked.js';
import { claimFresh, type KnownStudy } from './claim-statement.js';
import { endStudyIfSpent } from './study-done.js';
import { suggestFor, suggestsWithoutHistory } from './suggest-trials.js';
import { publishTrial, type TrialDeps } from './trial-deps.js';
import { TRIAL_COLUMNS, type TrialRow, trialRecord } from './trial-row.js';

export const MAX_ASK = 100;
export const MAX_REQUEST_KEY_CHARS = 200;
/** Claim attempts on a row other processes keep changing before taking the study lock instead. */
const CLAIM_ATTEMPTS = 3;
const MAX_KNOWN_STUDIES = 1000;

interface Pending extends AskRequest {
  resolve: (trials: TrialRecord[]) => void;
  reject: (error: unknown) => void;
}

/**
 * askTrials. Asks for one study that arrive while its previous batch runs wait and then share the
 * next one: one statement (samplers that need no history) or one locked transaction (those that
 * do) serves every asker queued in this process, with one synchronous commit. A worker is
 * answered only once its claim is on disk, and the WAL flush that costs is paid once per batch,
 * not per trial: the longer a flush takes, the more asks the next batch carries.
 */
export class TrialAsker {
  private readonly queues = new Map<string, Pending[]>();
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
    const trials = await new Promise<TrialRecord[]>((resolve, reject) => {
      const request: Pending = { count, workerId, requestKey, check, resolve, reject };
      const queue = this.queues.get(studyId);
      if (queue) {
        queue.push(request);
        return;
      }
      const fresh = [request];
      this.queues.set(studyId, fresh);
      void this.drain(studyId, fresh);
    });
    opsMetrics.asks.inc();
    opsMetrics.trialsAsked.inc(trials.length);
    for (const trial of trials) publishTrial(this.deps, 'CLAIMED', trial);
    return trials;
  }

  private async drain(studyId: string, queue: Pending[]): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, queue.length);
      let answers: AskAnswer[];
      try {
        answers = await this.serve(studyId, batch);
      } catch (error) {
        for (const request of batch) request.reject(error);
        continue;
      }
      batch.forEach((request, i) => {
        const answer = answers[i] ?? [];
        if (answer instanceof Error) request.reject(answer);
        else request.resolve(answer.map(trialRecord));
      });
    }
    this.queues.delete(studyId);
  }

  /** One batch: the single-statement claim when the study allows it, else the locked path. */
  private async serve(studyId: string, batch: readonly AskRequest[]): Promise<AskAnswer[]> {
    let study = this.studies.get(studyId) ?? null;
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      if (study !== null && !suggestsWithoutHistory(study)) break;
      const refused = refusals(batch, study);
      const slots = slotsOf(batch, refused);
      const room =
        study === null ? 0 : Math.min(slots.length, study.parallelism, study.maxTrials - study.budgetUsed);
      const suggestions =
        study === null
          ? []
          : await suggestFor(
              this.deps.suggester,
              { id: studyId, ...study },
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
      if (outcome.kind === 'stale') {
        study = outcome.study;
        continue;
      }
      if (outcome.kind === 'waiting') break;
      if (outcome.kind === 'notRunning') return answersFor(batch, refused, []);
      const { trials, running } = outcome;
      if (trials.length === 0 && running === 0 && outcome.study.budgetUsed >= outcome.study.maxTrials) {
        // Nothing handed out and nothing in flight: the budget is spent.
        await endStudyIfSpent(this.deps, studyId);
      }
      return answersFor(batch, refused, trials);
    }
    const { answers, study: after } = await askLocked(this.deps, studyId, batch);
    this.remember(studyId, after);
    return answers;
  }

  private remember(studyId: string, study: KnownStudy): void {
    if (!this.studies.has(studyId) && this.studies.size >= MAX_KNOWN_STUDIES) this.studies.clear();
    this.studies.set(studyId, study);
  }
}
