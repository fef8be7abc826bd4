// `@posterior/api/testing`: helpers for any package's tests that need a real database.
export {
  createTestDatabase,
  migrationsFingerprint,
  type TestDatabase,
  TestDatabaseError,
  type TestDatabaseOptions,
} from './databases.js';
export { FaultyArtifactStore, fsError } from './faulty-artifact-store.js';
export { listeningAddresses } from './listening.js';
