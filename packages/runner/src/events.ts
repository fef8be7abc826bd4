/**
 * What a worker tells its host (the CLI progress display, `npm start`, tests). Plain JSON so the
 * same events cross the IPC channel from forked trial processes unchanged.
 */
import type { Direction, Params, TerminalTrialState } from '@posterior/sdk';

export interface StudySummary {
  readonly id: string;
  readonly name: string;
  readonly objective: string;
  readonly direction: Direction;
  /** Every objective's name in study order (one for a single-objective study). */
  readonly objectives: readonly string[];
  readonly maxTrials: number | null;
}

export interface StudyProgress {
  /** Trials in a terminal state. */
  readonly done: number;
  readonly total: number | null;
  readonly best: number | null;
  /** Multi-objective studies: trials on the Pareto front (then `best` is null); null otherwise. */
  readonly front: number | null;
  /** Trials run again after a failure or a hand-back (not counted in `done` twice). */
  readonly retries: number;
}

export type WorkerEvent =
  | {
      readonly type: 'started';
      readonly slot: number;
      readonly workerId: string;
      readonly study: StudySummary;
    }
  | {
      readonly type: 'trial-started';
      readonly slot: number;
      readonly trialId: string;
      readonly number: number;
      readonly params: Params;
    }
  | {
      readonly type: 'metrics';
      readonly slot: number;
      readonly trialId: string;
      readonly number: number;
      readonly step: number;
      readonly metrics: Readonly<Record<string, number>>;
      readonly shouldPrune: boolean;
    }
  | {
      readonly type: 'trial-finished';
      readonly slot: number;
      readonly trialId: string;
      readonly number: number;
      readonly state: TerminalTrialState;
      readonly value: number | null;
      /** Multi-objective studies: the values told, in study order; null otherwise or when not COMPLETE. */
      readonly values: readonly number[] | null;
      readonly error: string | null;
      /** Why the trial's checkpoint could not be stored (its result was kept); null if it was. */
      readonly checkpointError: string | null;
      readonly progress: StudyProgress | null;
    }
  | { readonly type: 'idle'; readonly slot: number; readonly progress: StudyProgress | null }
  | { readonly type: 'log'; readonly slot: number; readonly level: 'info' | 'warn'; readonly message: string }
  | { readonly type: 'stopped'; readonly slot: number; readonly reason: StopReason };

export type StopReason = 'study-done' | 'study-paused' | 'study-archived' | 'interrupted' | 'trial-limit';

export type EventListener = (event: WorkerEvent) => void;

export interface TrialOutcome {
  readonly trialId: string;
  readonly number: number;
  readonly state: TerminalTrialState;
  readonly value: number | null;
  readonly error: string | null;
  /** The worker handed the trial's params back to the queue (it was interrupted). */
  readonly handedBack: boolean;
  /** Why the trial's checkpoint could not be stored (its result was kept); null if it was. */
  readonly checkpointError: string | null;
}

export interface WorkerSummary {
  readonly workerId: string;
  readonly reason: StopReason;
  readonly trials: readonly TrialOutcome[];
}
