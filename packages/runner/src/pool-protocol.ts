import type { WorkerEvent, WorkerSummary } from './events.js';
import type { ObjectiveSpec } from './objective-loader.js';

/** Everything a forked worker process needs, as JSON (no functions, no signals). */
export interface ChildConfig {
  readonly url: string | readonly string[];
  readonly token: string | undefined;
  readonly studyId: string;
  readonly objective: ObjectiveSpec;
  readonly slot: number;
  readonly workerId: string;
  readonly maxTrials?: number;
  readonly pollMs?: number;
  readonly heartbeatMs?: number;
  readonly apiRetryWindowMs?: number;
  readonly checkpointRetryWindowMs?: number;
  readonly progress?: boolean;
}

export type ParentMessage =
  | { readonly type: 'start'; readonly config: ChildConfig }
  | { readonly type: 'drain' }
  | { readonly type: 'hard-stop' };

export type ChildMessage =
  | { readonly type: 'event'; readonly event: WorkerEvent }
  | { readonly type: 'done'; readonly summary: WorkerSummary }
  | { readonly type: 'error'; readonly message: string };
