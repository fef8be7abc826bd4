import type { ArtifactService } from '../artifacts/artifact.service.js';
import type { AuthService } from '../auth/auth.service.js';
import type { Authorizer } from '../authz/authorization.js';
import type { Caller } from '../authz/caller.js';
import { BatchLoader } from '../common/batch-loader.js';
import type { Db } from '../common/db.js';
import type { Logger } from '../common/logger.js';
import type { Artifact, MetricPoint } from '../graphql/types.js';
import type { InsightsService } from '../insights/insights.service.js';
import type { LiveConnections, LiveSubscriptionScope } from '../pubsub/live-connections.js';
import type { ApiPubSub } from '../pubsub/pubsub.js';
import type { StudyService } from '../study/study.service.js';
import type { TeamService } from '../team/team.service.js';
import type { TrialService } from '../trial/trial.service.js';
import type { ResponseCookies } from './cookies.js';

export interface Services {
  db: Db;
  logger: Logger;
  authz: Authorizer;
  auth: AuthService;
  teams: TeamService;
  studies: StudyService;
  trials: TrialService;
  insights: InsightsService;
  artifacts: ArtifactService;
  pubsub: ApiPubSub;
  /** This process's open WebSockets and their credentials (closed when those stop authenticating). */
  live: LiveConnections;
}

/**
 * Per-operation context: who is calling, the server's services, and (over HTTP) the response's
 * cookies. Built by `contextBuilder` (operation-context.ts) for HTTP and WebSocket alike.
 */
export interface Context {
  caller: Caller | null;
  services: Services;
  /** The request's id (X-Request-Id; over WebSocket, the upgrade request's), as in its log lines. */
  requestId: string;
  /** The end client's address (client-address.ts), for log-in and sign-up rate limiting. */
  clientKey: string;
  /** Over HTTP: cookies to set on the response (the session cookie); null over WebSocket. */
  cookies: ResponseCookies | null;
  /** The secure flag for cookies set in this exchange. */
  secureCookies: boolean;
  loaders: Loaders;
  /** Over WebSocket: the socket's scope, so subscriptions register the studies they stream. */
  live: LiveSubscriptionScope | null;
}

/** Per-request batch loaders for list fields that would otherwise query once per parent. */
export interface Loaders {
  /** Key: trial id, or `trialId\u0000name` for one metric. */
  metrics: BatchLoader<string, MetricPoint[]>;
  artifacts: BatchLoader<string, Artifact[]>;
  /**
   * One answer per key for the whole request: lookups that do not depend on their parent (`me`,
   * the caller's teams, a study by id) run once however many aliases or rows ask for them.
   */
  once<T>(key: string, load: () => Promise<T>): Promise<T>;
}

/**
 * `live`: for a subscription, whose context lasts as long as the stream: nothing is memoized there
 * (every event reads fresh rows).
 */
export function createLoaders(
  services: Pick<Services, 'trials' | 'artifacts'>,
  { live = false }: { live?: boolean } = {},
): Loaders {
  return {
    metrics: new BatchLoader((keys) => services.trials.metricsMany(keys), []),
    artifacts: new BatchLoader((ids) => services.artifacts.listMany(ids), []),
    once: live ? (_key, load) => load() : requestMemo(),
  };
}

function requestMemo(): Loaders['once'] {
  const answers = new Map<string, Promise<unknown>>();
  return <T>(key: string, load: () => Promise<T>): Promise<T> => {
    let answer = answers.get(key) as Promise<T> | undefined;
    if (answer === undefined) {
      answer = load();
      answers.set(key, answer);
    }
    return answer;
  };
}

export const SESSION_COOKIE = 'posterior_session';
