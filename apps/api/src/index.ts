// Data layer (entities, DataSource, migrations, database start-up) and config.

export {
  bestTrial as bestOf,
  formatReportNumber as formatNumber,
  formatStudyReport,
  type ReportStudy,
  type ReportTrial,
} from '@posterior/core';
// GraphQL API server, the report formatter (shared with `posterior report`) and what `serve` needs.
export {
  type ArtifactStore,
  ArtifactStoreUnavailableError,
  LocalArtifactStore,
} from './artifacts/artifact-store.js';
export { createLogger, type Logger } from './common/logger.js';
export {
  type Config,
  ConfigError,
  configSchema,
  getConfig,
  loadConfig,
  loadDatabaseUrl,
  serverSecurityOptions,
} from './config/index.js';
export * from './db/index.js';
export { getSchema } from './server/schema.js';
export { type ApiServer, type ApiServerOptions, createApiServer } from './server/server.js';
