import { withTimeout } from '../common/time.js';

/**
 * What the readiness check needs from the database: a TypeORM DataSource satisfies it. Kept
 * structural so the check can be exercised without a server.
 */
export interface OpsDataSource {
  readonly isInitialized: boolean;
  readonly migrations: readonly { readonly name?: string; readonly constructor: { readonly name: string } }[];
  readonly options: { readonly migrationsTableName?: string };
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export interface ReadinessReport {
  ready: boolean;
  checks: {
    database: { ok: boolean; error?: string };
    migrations: { ok: boolean; pending?: string[]; error?: string };
    artifacts?: { ok: boolean; error?: string };
    draining?: { ok: boolean };
  };
}

export interface ReadinessOptions {
  /** Each database round trip is abandoned after this long (default 2000 ms). */
  timeoutMs?: number;
  /** True while the process shuts down: a draining process must stop receiving traffic. */
  isDraining?: () => boolean;
  /**
   * Can the artifact store take bytes? A replica whose store cannot write fails every checkpoint
   * upload, so it is not ready (the reason, never a path, is in `checks.artifacts.error`).
   */
  artifactStore?: () => Promise<{ ok: boolean; error?: string }>;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** TypeORM names a migration by its `name` property, else by its class name. */
const migrationName = (m: OpsDataSource['migrations'][number]): string => m.name ?? m.constructor.name;

/**
 * Database reachable (`SELECT 1`) and every migration this build knows applied. Equivalent to
 * TypeORM's `showMigrations()` but read-only: that one creates the migrations table when missing,
 * which a probe must not do. Once migrations are seen current the answer is kept: the set compiled
 * into this process never grows, and applied migrations are not un-applied under a running server.
 */
export function createReadinessCheck(dataSource: OpsDataSource, options: ReadinessOptions = {}) {
  const timeoutMs = options.timeoutMs ?? 2000;
  const table = dataSource.options.migrationsTableName ?? 'migrations';
  let migrationsCurrent = false;

  async function pendingMigrations(): Promise<string[]> {
    const known = dataSource.migrations.map(migrationName);
    if (known.length === 0) return [];
    const rows = (await withTimeout(
      dataSource.query(`SELECT "name" FROM "${table.replaceAll('"', '""')}"`),
      timeoutMs,
      'migrations query',
    )) as { name: string }[];
    const applied = new Set(rows.map((r) => r.name));
    return known.filter((name) => !applied.has(name));
  }

  return async function check(): Promise<ReadinessReport> {
    const report: ReadinessReport = {
      ready: false,
      checks: { database: { ok: false }, migrations: { ok: false } },
    };
    if (options.isDraining?.()) {
      report.checks.draining = { ok: false };
      return report;
    }
    // Independent of the database: run it alongside, and report it whatever the database says.
    const artifacts = options.artifactStore
      ? options.artifactStore().catch((error: unknown) => ({ ok: false, error: message(error) }))
      : undefined;
    const withArtifacts = async (): Promise<ReadinessReport> => {
      if (artifacts === undefined) return report;
      const health = await artifacts;
      report.checks.artifacts = health.ok
        ? { ok: true }
        : { ok: false, error: health.error ?? 'unavailable' };
      report.ready = report.ready && health.ok;
      return report;
    };
    if (!dataSource.isInitialized) {
      report.checks.database.error = 'not connected';
      return withArtifacts();
    }
    try {
      await withTimeout(dataSource.query('SELECT 1'), timeoutMs, 'SELECT 1');
      report.checks.database.ok = true;
    } catch (error) {
      report.checks.database.error = message(error);
      return withArtifacts();
    }
    if (!migrationsCurrent) {
      try {
        const pending = await pendingMigrations();
        if (pending.length === 0) migrationsCurrent = true;
        else report.checks.migrations.pending = pending;
      } catch (error) {
        // 42P01: the migrations table does not exist yet, i.e. nothing has been migrated.
        const code = (error as { code?: string }).code;
        if (code === '42P01') report.checks.migrations.pending = dataSource.migrations.map(migrationName);
        else report.checks.migrations.error = message(error);
      }
    }
    report.checks.migrations.ok = migrationsCurrent;
    report.ready = report.checks.database.ok && migrationsCurrent;
    return withArtifacts();
  };
}
