import type { DataSource } from 'typeorm';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import type { AuthLimits } from '../auth/rate-limit.js';
import type { Logger } from '../common/logger.js';
import type { LiveLimits } from '../pubsub/live-connections.js';
import type { Services } from './context.js';

export interface ApiServerOptions {
  /** An initialized, migrated DataSource (see `createDataSource`, `startDatabase`). */
  dataSource: DataSource;
  /** POSTERIOR_DATA_DIR: artifacts are stored under `<dataDir>/artifacts`. */
  dataDir: string;
  /** 0 picks a free port. Default 4000. */
  port?: number;
  host?: string;
  logger?: Logger;
  /** How often this process looks for stale RUNNING trials (default 2000 ms; 0 disables). */
  reaperIntervalMs?: number;
  maxArtifactBytes?: number;
  /** Bytes of artifacts one team may store in all (default 20 GiB; POSTERIOR_ARTIFACT_QUOTA_BYTES). */
  teamArtifactQuotaBytes?: number;
  /** Where artifact bytes go (default: `<dataDir>/artifacts` on disk); tests inject failing ones. */
  artifactStore?: ArtifactStore;
  /** Worker threads for GP suggestions and insights (default: cores - 1, at least 1). */
  suggestionThreads?: number;
  /** Browser origins allowed to call the API with cookies (the dashboard). */
  corsOrigins?: readonly string[];
  /** Set the Secure flag on session cookies (behind HTTPS). */
  secureCookies?: boolean;
  /** Largest JSON request body (default 4 MB: 10,000 metric points fit). */
  maxBodyBytes?: number;
  /** How often open WebSockets' credentials are re-checked in the database (default 30 s; 0: never). */
  liveRecheckMs?: number;
  /**
   * Proxies whose X-Forwarded-For names the end client (addresses, CIDRs, `loopback`...; default
   * loopback: the dashboard's proxy). See auth/client-address.ts.
   */
  trustedProxies?: readonly string[];
  /** Log-in and sign-up budgets (default DEFAULT_AUTH_LIMITS). */
  authLimits?: Partial<AuthLimits>;
  /**
   * Where Prometheus `/metrics` is served: on its own `port` (not on the API's), or on the API's
   * port to `Authorization: Bearer <token>`. Neither: on the API's port to loopback peers only.
   */
  metrics?: { port?: number; token?: string };
  /** GraphQL introspection and field suggestions in errors (default true; off in production). */
  introspection?: boolean;
  /** Open sockets and subscriptions per user or token, per process (default DEFAULT_LIVE_LIMITS). */
  liveLimits?: Partial<LiveLimits>;
  /**
   * Milliseconds on a monotonic clock, for the duration each request and operation logs (default
   * `performance.now`); tests pass a fixed one so log levels do not depend on the machine's load.
   */
  clock?: () => number;
}

export interface ApiServer {
  /** http://host:port/graphql */
  url: string;
  /** ws://host:port/graphql */
  wsUrl: string;
  /** http://host:port (artifacts at /artifacts) */
  baseUrl: string;
  port: number;
  services: Services;
  /** Drains HTTP and WebSocket clients, stops the reaper, the LISTEN connection and the worker threads. */
  close(): Promise<void>;
}
