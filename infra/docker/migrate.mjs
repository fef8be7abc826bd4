#!/usr/bin/env node
// Applies pending migrations to DATABASE_URL and exits: the Kubernetes migration Job and the
// compose `migrate` service run this before the API replicas start, which then run
// `posterior serve --no-migrate` and only verify the schema. (Migrations take a PostgreSQL advisory
// lock, so starters that do migrate, like a plain `posterior serve`, take turns instead of racing.)
import { ConfigError, loadConfig, startDatabase } from '@posterior/api';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`migrate: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
if (config.DATABASE_URL === undefined) {
  process.stderr.write('migrate: DATABASE_URL is required\n');
  process.exit(2);
}
const database = await startDatabase({
  dataDir: config.POSTERIOR_DATA_DIR,
  databaseUrl: config.DATABASE_URL,
  migrate: true,
  log: (line) => process.stdout.write(`${line}\n`),
});
await database.stop();
process.stdout.write('migrate: database is up to date\n');
