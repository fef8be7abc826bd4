import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import express from 'express';
import { clientAddressResolver } from '../auth/client-address.js';
import type { Caller } from '../authz/caller.js';
import { createLogger } from '../common/logger.js';
import { settleWithin } from '../common/time.js';
import { createOpsRouter, opsMetrics, requestTracker } from '../ops/index.js';
import { METRIC_FLUSH_MS } from '../pubsub/subscription.resolver.js';
import { startApollo } from './apollo.js';
import { bearerMatches, credentialOfHeaders, isLoopbackPeer } from './credentials.js';
import { graphqlOverHttp } from './graphql-http.js';
import { HttpDrain } from './http-drain.js';
import { listen } from './listen.js';
import { contextBuilder } from './operation-context.js';
import type { ApiServer, ApiServerOptions } from './options.js';
import { startReaper } from './reaper-loop.js';
import { requestHandler } from './request-handler.js';
import { restApp } from './rest-app.js';
import { getSchema } from './schema.js';
import { createServices } from './services.js';
import { serveSubscriptions } from './subscriptions.js';

export type { ApiServer, ApiServerOptions } from './options.js';

/** How long requests in flight may take to finish once shutdown starts; then they are cut. */
const HTTP_GRACE_MS = 10_000;
/**
 * After the last events reach this process: time for the streams to write them (the metric
 * stream coalesces for METRIC_FLUSH_MS; a trial row too large for NOTIFY is read back first).
 */
const STREAM_SETTLE_MS = METRIC_FLUSH_MS + 50;
/** How long WebSocket clients get to answer the close frame before their sockets are destroyed. */
const SOCKET_GRACE_MS = 3000;

export async function createApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const logger = options.logger ?? createLogger();
  const { services, suggester } = createServices(options, logger);
  const { db, pubsub, live } = services;
  const schema = await getSchema();
  const introspection = options.introspection ?? true;
  const allowedOrigins = new Set(options.corsOrigins ?? ['http://localhost:3000', 'http://127.0.0.1:3000']);
  const isAllowedOrigin = (origin: string) => allowedOrigins.has(origin);
  const authenticate = async (credential: string | null): Promise<Caller | null> =>
    credential === null ? null : services.auth.authenticate(credential);
  const contextOf = contextBuilder({
    services,
    clientKeyOf: clientAddressResolver(options.trustedProxies),
    secureCookies: options.secureCookies ?? false,
  });

  const clock = options.clock ?? (() => performance.now());
  const apollo = await startApollo(schema, logger, introspection, clock);
  let draining = false;
  const metricsToken = options.metrics?.token;
  const rest = restApp({
    services,
    logger,
    authenticate,
    ops: {
      dataSource: options.dataSource,
      isDraining: () => draining,
      artifactStore: () => services.artifacts.health(),
      // /metrics carries per-tenant trial counts: not public on the API's listener.
      metricsAllowed: (req) =>
        options.metrics?.port === undefined &&
        (metricsToken === undefined
          ? isLoopbackPeer(req)
          : bearerMatches(req.headers.authorization, metricsToken)),
    },
  });
  const httpServer: Server = createServer(
    requestHandler({
      // GraphQL POSTs and probes log at debug (a worker fleet makes hundreds a second), failures
      // and slow requests at warn.
      track: requestTracker({
        logger,
        metrics: opsMetrics,
        quietPaths: ['/graphql', '/healthz', '/readyz', '/metrics'],
        clock,
      }),
      isAllowedOrigin,
      graphql: graphqlOverHttp({
        apollo,
        maxBodyBytes: options.maxBodyBytes ?? 4 * 1024 * 1024,
        logger,
        context: async (req, res, request) =>
          contextOf({
            req,
            res,
            request,
            caller: await authenticate(credentialOfHeaders(req.headers)),
            live: null,
          }),
      }),
      rest,
    }),
  );
  const httpDrain = new HttpDrain(httpServer);
  const subscriptions = serveSubscriptions({
    httpServer,
    schema,
    services,
    logger,
    introspection,
    isAllowedOrigin,
    context: contextOf,
  });

  const host = options.host ?? '0.0.0.0';
  let port: number;
  let metricsServer: Server | null = null;
  try {
    await pubsub.whenListening();
    port = await listen(httpServer, options.port ?? 4000, host);
    if (options.metrics?.port !== undefined) {
      const metricsApp = express();
      metricsApp.disable('x-powered-by');
      metricsApp.use(createOpsRouter({ dataSource: options.dataSource, metricsOnly: true }));
      metricsServer = createServer(metricsApp);
      await listen(metricsServer, options.metrics.port, host);
    }
  } catch (error) {
    // A port in use or an unreachable database: release what was started, then report.
    if (httpServer.listening) httpServer.close();
    await apollo.stop().catch(() => undefined);
    live.close();
    await pubsub.close().catch(() => undefined);
    await suggester.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw error;
  }
  const stopReaper = startReaper(services.trials, logger, options.reaperIntervalMs ?? 2000);
  const shownHost = host === '0.0.0.0' ? 'localhost' : host;
  logger.info({ port }, 'Posterior API listening');

  let closing: Promise<void> | null = null;
  return {
    url: `http://${shownHost}:${port}/graphql`,
    wsUrl: `ws://${shownHost}:${port}/graphql`,
    baseUrl: `http://${shownHost}:${port}`,
    port,
    services,
    close() {
      // In this order: requests in flight finish (a tell commits and publishes its event), every
      // event published so far reaches the subscription streams, and only then do WebSockets get
      // 1001, so a subscriber misses nothing that was committed before it was asked to reconnect.
      closing ??= (async () => {
        const started = performance.now();
        const since = () => Math.round(performance.now() - started);
        draining = true;
        stopReaper();
        const requestsFinished = await httpDrain.stop(HTTP_GRACE_MS);
        const requestsMs = since();
        await pubsub.flush();
        await new Promise((resolve) => setTimeout(resolve, STREAM_SETTLE_MS));
        const eventsMs = since();
        await settleWithin(Promise.resolve(subscriptions.dispose()), SOCKET_GRACE_MS);
        await httpDrain.closed(SOCKET_GRACE_MS);
        logger.info(
          { requestsMs, requestsFinished, eventsMs, socketsMs: since() },
          'drained: requests answered, events delivered, sockets closed',
        );
        await apollo.stop();
        if (metricsServer) await new Promise((resolve) => metricsServer?.close(resolve));
        live.close();
        await pubsub.close();
        await suggester.close();
        await db.close();
      })();
      return closing;
    },
  };
}
