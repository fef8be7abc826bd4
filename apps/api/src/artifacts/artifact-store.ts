import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NotFoundError } from '../common/errors.js';

/**
 * Where artifact bytes live. The service keeps metadata in PostgreSQL; a store only holds bytes
 * by the server-generated id. Tests substitute a failing one (read-only, disk full).
 */
export interface ArtifactStore {
  /** Streams `source` through `meter` into the store under `id`, all or nothing. */
  write(id: string, source: Readable, meter: Transform): Promise<void>;
  /** Throws NotFoundError when the bytes are gone. */
  open(id: string): Promise<ReadStream>;
  remove(id: string): Promise<void>;
  /** Writes and removes a small file: throws what a real write would (EROFS, ENOSPC, ...). */
  probe(): Promise<void>;
}

/** Bytes at `<dataDir>/artifacts/<id[0..1]>/<id>`, written to `tmp/` first and renamed into place. */
export class LocalArtifactStore implements ArtifactStore {
  constructor(private readonly dataDir: string) {}

  private pathOf(id: string): string {
    // Only ever called with server-generated or isUuid-checked ids: the path cannot leave the directory.
    return join(this.dataDir, 'artifacts', id.slice(0, 2), id);
  }

  private get tmpDir(): string {
    return join(this.dataDir, 'artifacts', 'tmp');
  }

  async write(id: string, source: Readable, meter: Transform): Promise<void> {
    await mkdir(join(this.dataDir, 'artifacts', id.slice(0, 2)), { recursive: true });
    await mkdir(this.tmpDir, { recursive: true });
    const tmp = join(this.tmpDir, `${id}.part`);
    try {
      await pipeline(source, meter, createWriteStream(tmp, { flags: 'wx' }));
      await rename(tmp, this.pathOf(id));
    } catch (error) {
      await rm(tmp, { force: true }).catch(() => {});
      throw error;
    }
  }

  async open(id: string): Promise<ReadStream> {
    const path = this.pathOf(id);
    await stat(path).catch(() => {
      throw new NotFoundError('artifact file');
    });
    return createReadStream(path);
  }

  async remove(id: string): Promise<void> {
    await rm(this.pathOf(id), { force: true });
  }

  async probe(): Promise<void> {
    await mkdir(this.tmpDir, { recursive: true });
    const file = join(this.tmpDir, `.probe-${randomUUID()}`);
    try {
      await writeFile(file, 'probe');
    } finally {
      await rm(file, { force: true }).catch(() => {});
    }
  }
}

/** The store cannot take bytes now (read-only, full, failing disk): 503, retry later. */
export class ArtifactStoreUnavailableError extends Error {
  readonly code = 'ARTIFACT_STORE_UNAVAILABLE';
  /** The fs error code behind it (EROFS, ENOSPC, ...), when there is one. */
  readonly errno: string | undefined;
  constructor(
    readonly reason: string,
    options?: { cause?: unknown; errno?: string },
  ) {
    super(`the artifact store cannot write: ${reason}`, options);
    this.errno = options?.errno;
  }
}

/** Failures a small write probe reproduces: once the probe passes again, they are over. */
const PROBED_ERRNO = new Set(['EROFS', 'EACCES', 'EPERM', 'ENOTDIR']);

/** Errno codes that mean the store, not the request, is at fault; said without the path. */
const STORE_ERRNO: Readonly<Record<string, string>> = {
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'I/O error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  ENOTDIR: 'a path component is not a directory',
};

/** The store failure behind `error` (a Node fs error), or null when the error is not the store's. */
export function storeFailure(error: unknown): ArtifactStoreUnavailableError | null {
  if (error instanceof ArtifactStoreUnavailableError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  const reason = STORE_ERRNO[code];
  return reason === undefined
    ? null
    : new ArtifactStoreUnavailableError(`${reason} (${code})`, { cause: error, errno: code });
}

export interface StoreHealth {
  readonly ok: boolean;
  readonly error?: string;
}

export interface StoreHealthOptions {
  /** A probe result is reused this long, so probes hammering /readyz write one file at most (default 2 s). */
  readonly probeEveryMs?: number;
  /** A failed upload keeps the store unhealthy this long unless an upload succeeds since (default 30 s). */
  readonly failureMemoryMs?: number;
  readonly now?: () => number;
}

/**
 * The store's health for /readyz: a write probe (a read-only or missing volume fails it), and the
 * last upload's failure (a full disk may still take the probe's few bytes but not a checkpoint).
 */
export class ArtifactStoreHealth {
  private lastFailure: { reason: string; at: number; probed: boolean } | null = null;
  private probed: { at: number; health: StoreHealth } | null = null;
  private readonly probeEveryMs: number;
  private readonly failureMemoryMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: ArtifactStore,
    options: StoreHealthOptions = {},
  ) {
    this.probeEveryMs = options.probeEveryMs ?? 2_000;
    this.failureMemoryMs = options.failureMemoryMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  uploadFailed(failure: ArtifactStoreUnavailableError): void {
    const probed = failure.errno !== undefined && PROBED_ERRNO.has(failure.errno);
    this.lastFailure = { reason: failure.reason, at: this.now(), probed };
  }

  uploadSucceeded(): void {
    // A stored upload proves the store writable: forget the failure and any failed probe.
    this.lastFailure = null;
    if (this.probed && !this.probed.health.ok) this.probed = null;
  }

  async check(): Promise<StoreHealth> {
    const now = this.now();
    if (this.probed === null || now - this.probed.at >= this.probeEveryMs) {
      let health: StoreHealth;
      try {
        await this.store.probe();
        health = { ok: true };
      } catch (error) {
        const failure = storeFailure(error);
        health = {
          ok: false,
          error: failure?.message ?? 'the artifact store cannot write: write probe failed',
        };
      }
      this.probed = { at: now, health };
    }
    if (!this.probed.health.ok) return this.probed.health;
    const last = this.lastFailure;
    // A read-only or permission failure is over once the probe writes; a full disk may still take
    // the probe's few bytes, so its failure is remembered a while unless an upload succeeds.
    if (last && !last.probed && now - last.at < this.failureMemoryMs) {
      const ago = Math.round((now - last.at) / 1000);
      return {
        ok: false,
        error: `an upload failed ${ago} s ago: the artifact store cannot write: ${last.reason}`,
      };
    }
    return { ok: true };
  }
}
