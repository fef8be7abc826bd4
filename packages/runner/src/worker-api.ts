import type { PosteriorApi } from '@posterior/sdk';

/**
 * The part of the SDK a worker uses; tests substitute an in-process fake. `tellAndAsk` is
 * optional: without it the worker tells and asks in two requests.
 */
export type WorkerApi = Partial<Pick<PosteriorApi, 'tellAndAsk'>> &
  Pick<
    PosteriorApi,
    | 'study'
    | 'askTrials'
    | 'heartbeat'
    | 'reportMetrics'
    | 'tellTrial'
    | 'trial'
    | 'releaseTrial'
    | 'setTrialAttributes'
    | 'uploadArtifact'
  >;
