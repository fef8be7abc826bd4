export { DataDirInUseError, type DataDirLock } from './data-dir-lock.js';
export {
  createDataSource,
  type DataSourceOptions,
  type MigrationStatus,
  migrationStatus,
  revertMigrations,
  runMigrations,
} from './data-source.js';
export * from './entities/index.js';
export { migrations } from './migrations/index.js';
export {
  DatabaseStartError,
  type RunningDatabase,
  type StartDatabaseOptions,
  startDatabase,
} from './start-database.js';
export {
  DatabaseUnreachableError,
  databaseAddress,
  waitForDatabase,
} from './wait-for-database.js';
