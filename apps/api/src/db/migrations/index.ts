import { Initial1764250000000 } from './1764250000000-Initial.js';
import { StudyBudgetUsed1764260000000 } from './1764260000000-StudyBudgetUsed.js';
import { TerminalTrialsImmutable1764270000000 } from './1764270000000-TerminalTrialsImmutable.js';
import { LoginFailures1764280000000 } from './1764280000000-LoginFailures.js';
import { IdempotentAsks1764290000000 } from './1764290000000-IdempotentAsks.js';
import { TeamInvitations1764293000000 } from './1764293000000-TeamInvitations.js';
import { StudyEventLog1764300000000 } from './1764300000000-StudyEventLog.js';
import { StudyVersionTrigger1764310000000 } from './1764310000000-StudyVersionTrigger.js';
import { StudyWarmStart1764320000000 } from './1764320000000-StudyWarmStart.js';
import { TrialNotesTags1764330000000 } from './1764330000000-TrialNotesTags.js';
import { MultiObjective1764340000000 } from './1764340000000-MultiObjective.js';
import { TrialRunInfo1764350000000 } from './1764350000000-TrialRunInfo.js';
import { FinishedTrialOutcomesImmutable1764360000000 } from './1764360000000-FinishedTrialOutcomesImmutable.js';

// Every migration, in order. A new migration file is also appended here: the list is explicit (no
// glob) so the compiled output and the test template hash see exactly the same set.
export const migrations = [
  Initial1764250000000,
  StudyBudgetUsed1764260000000,
  TerminalTrialsImmutable1764270000000,
  LoginFailures1764280000000,
  IdempotentAsks1764290000000,
  TeamInvitations1764293000000,
  StudyEventLog1764300000000,
  StudyVersionTrigger1764310000000,
  StudyWarmStart1764320000000,
  TrialNotesTags1764330000000,
  MultiObjective1764340000000,
  TrialRunInfo1764350000000,
  FinishedTrialOutcomesImmutable1764360000000,
];
