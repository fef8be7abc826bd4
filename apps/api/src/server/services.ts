import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { ArtifactService, DEFAULT_MAX_ARTIFACT_BYTES } from '../artifacts/artifact.service.js';
import { AuthService } from '../auth/auth.service.js';
import { Authorizer } from '../authz/authorization.js';
import { Db } from '../common/db.js';
import { isAccessDenial } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { Role } from '../db/index.js';
import { InsightsService } from '../insights/insights.service.js';
import { sequenceTrialEvents } from '../pubsub/event-log.js';
import { LiveConnections } from '../pubsub/live-connections.js';
import { createApiPubSub } from '../pubsub/pubsub.js';
import { StudyService } from '../study/study.service.js';
import { Suggester } from '../suggest/suggester.js';
import { TeamService } from '../team/team.service.js';
import { TrialService } from '../trial/trial.service.js';
import type { Services } from './context.js';
import type { ApiServerOptions } from './options.js';

/** The services behind every resolver, wired together, and the worker threads they share. */
export function createServices(
  options: ApiServerOptions,
  logger: Logger,
): { services: Services; suggester: Suggester } {
  const db = Db.fromDataSource(options.dataSource);
  const pubsub = createApiPubSub({
    clientConfig: listenClientConfig(options.dataSource),
    notify: (channel, payloads) =>
      db.pool.query(`SELECT ${payloads.map((_, i) => `pg_notify($1, $${i + 2})`).join(', ')}`, [
        channel,
        ...payloads,
      ]),
    logger,
    sequence: sequenceTrialEvents(db),
  });
  const suggester = new Suggester(logger, options.suggestionThreads);
  const authz = new Authorizer(db);
  const artifacts = new ArtifactService(
    db,
    options.dataDir,
    options.maxArtifactBytes ?? DEFAULT_MAX_ARTIFACT_BYTES,
    options.teamArtifactQuotaBytes,
    options.artifactStore,
  );
  const studies = new StudyService(db, authz, (ids) => artifacts.removeFiles(ids));
  const trials = new TrialService(db, suggester, pubsub, logger);
  const auth = new AuthService(
    db,
    (revoked) => pubsub.publishAuthChanged(revoked),
    undefined,
    options.authLimits,
  );
  const live = new LiveConnections({
    stillValid: (hashes) => auth.stillValid(hashes),
    canRead: (caller, studyId) =>
      studies.access(caller, studyId, Role.VIEWER).then(
        () => true,
        (error: unknown) => {
          if (isAccessDenial(error)) return false;
          throw error;
        },
      ),
    reauthenticate: (credential) => auth.reauthenticate(credential.caller.kind, credential.hash),
    ...(options.liveLimits ? { limits: options.liveLimits } : {}),
    logger,
    ...(options.liveRecheckMs === undefined ? {} : { recheckMs: options.liveRecheckMs }),
  });
  // Revocations and membership changes come back through the pubsub to every process, this one
  // included: each closes its own sockets that the change affects.
  pubsub.onAuthChanged(({ revoked }) => {
    auth.invalidate();
    live.revoke(revoked);
  });
  // A membership change also changes what that user's API tokens may do: no cached caller survives it.
  pubsub.onMembershipChanged(({ userId }) => {
    auth.invalidate();
    void live.membershipChanged(userId);
  });
  const teams = new TeamService(
    db,
    (revoked) => auth.credentialsChanged(revoked),
    (teamId, userId) => {
      auth.invalidate();
      pubsub.publishMembershipChanged({ teamId, userId });
    },
  );
  const insights = new InsightsService(db, suggester, logger);
  return {
    services: { db, logger, authz, auth, teams, studies, trials, insights, artifacts, pubsub, live },
    suggester,
  };
}

/** The LISTEN connection's settings: the DataSource's own, under its own application name. */
function listenClientConfig(dataSource: DataSource): pg.ClientConfig {
  const o = dataSource.options as {
    url?: string;
    host?: string;
    port?: number;
    username?: string;
    password?: string | (() => string | Promise<string>);
    database?: string;
  };
  return {
    connectionString: o.url,
    host: o.host,
    port: o.port,
    user: o.username,
    password: typeof o.password === 'string' ? o.password : undefined,
    database: o.database,
    application_name: 'posterior-listen',
  };
}
