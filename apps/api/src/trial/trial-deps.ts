import type { Db } from '../common/db.js';
import type { Logger } from '../common/logger.js';
import type { ApiPubSub, TrialEventType } from '../pubsub/pubsub.js';
import type { Suggester } from '../suggest/suggester.js';
import type { TrialRecord } from './trial.record.js';

/** What the trial lifecycle modules share: the database, the optimizer, the event bus, the log. */
export interface TrialDeps {
  db: Db;
  suggester: Suggester;
  pubsub: ApiPubSub;
  logger: Logger;
}

export function publishTrial(
  deps: Pick<TrialDeps, 'pubsub'>,
  type: TrialEventType,
  trial: TrialRecord,
): void {
  deps.pubsub.publishTrialEvent(trial.studyId, type, trial);
}

export const MAX_ERROR_CHARS = 4000;
