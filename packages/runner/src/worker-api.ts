import type { PosteriorApi } from '@posterior/sdk';

/** The part of the SDK a worker uses; tests substitute an in-process fake. */
export type WorkerApi = Pick<
  PosteriorApi,
  | 'study'
  | 'askTrials'
  | 'heartbeat'
  | 'reportMetrics'
  | 'tellTrial'
  | 'trial'
  | 'enqueueTrial'
  | 'uploadArtifact'
>;
