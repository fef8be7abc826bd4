import { createHash, randomUUID } from 'node:crypto';
import type { ReadStream } from 'node:fs';
import { type Readable, Transform } from 'node:stream';
import { callerUserId, decide, memberRoleSql, requireCaller, roleFor } from '../authz/authorization.js';
import type { Caller } from '../authz/caller.js';
import type { Db } from '../common/db.js';
import { BadUserInputError, NotFoundError } from '../common/errors.js';
import { isUuid } from '../common/validate.js';
import { Role } from '../db/index.js';
import type { Artifact } from '../graphql/types.js';
import { ARTIFACT_COLUMNS, type ArtifactRow, toArtifact } from './artifact-row.js';
import {
  type ArtifactStore,
  ArtifactStoreHealth,
  LocalArtifactStore,
  type StoreHealth,
  storeFailure,
} from './artifact-store.js';

export const DEFAULT_MAX_ARTIFACT_BYTES = 512 * 1024 * 1024;

/** Thrown when an upload exceeds the size limit; the router answers 413. */
/** Bytes of artifacts one team may store in all (issue 12, Low): 20 GiB by default. */
export const DEFAULT_TEAM_ARTIFACT_QUOTA_BYTES = 20 * 1024 ** 3;

export class ArtifactTooLargeError extends Error {
  constructor(
    readonly limit: number,
    message = `artifact exceeds the limit of ${limit} bytes`,
  ) {
    super(message);
  }
}

/**
 * A display name safe to show and to put in a Content-Disposition header: the last path segment
 * only, no control or quoting characters, at most 255 characters. It is never used as a path:
 * bytes live at `<dataDir>/artifacts/<id[0..1]>/<id>`, named by the server-generated uuid.
 */
export function sanitizeDisplayName(raw: string | null | undefined): string {
  const last = (raw ?? '').split(/[/\\]/).pop() ?? '';
  const cleaned = last
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
    .replace(/[\u0000-\u001f\u007f"<>|*?:;]/g, '_')
    .replace(/^\.+/, '')
    .trim()
    .slice(0, 255);
  return cleaned.length > 0 ? cleaned : 'artifact';
}

const CONTENT_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i;

export function sanitizeContentType(raw: string | null | undefined): string {
  const base = (raw ?? '').split(';')[0]?.trim() ?? '';
  return CONTENT_TYPE.test(base) ? base.toLowerCase() : 'application/octet-stream';
}

export class ArtifactService {
  private readonly store: ArtifactStore;
  private readonly storeHealth: ArtifactStoreHealth;

  constructor(
    private readonly db: Db,
    dataDir: string,
    readonly maxBytes: number = DEFAULT_MAX_ARTIFACT_BYTES,
    readonly teamQuotaBytes: number = DEFAULT_TEAM_ARTIFACT_QUOTA_BYTES,
    store?: ArtifactStore,
  ) {
    this.store = store ?? new LocalArtifactStore(dataDir);
    this.storeHealth = new ArtifactStoreHealth(this.store);
  }

  /** Can the store take bytes now? For /readyz. */
  health(): Promise<StoreHealth> {
    return this.storeHealth.check();
  }

  /** Bytes of artifacts the team stores now. */
  private async teamUsage(teamId: string): Promise<number> {
    const row = await this.db.one<{ used: number }>(
      `SELECT coalesce(sum(a.size_bytes), 0)::float8 AS used
       FROM artifacts a JOIN trials t ON t.id = a.trial_id JOIN studies s ON s.id = t.study_id
       WHERE s.team_id = $1`,
      [teamId],
    );
    return row?.used ?? 0;
  }

  /** Removes the stored files of artifacts whose rows were deleted (with their study); missing files are fine. */
  async removeFiles(artifactIds: readonly string[]): Promise<void> {
    for (const id of artifactIds) {
      if (isUuid(id)) await this.store.remove(id);
    }
  }

  async list(trialId: string): Promise<Artifact[]> {
    const rows = await this.db.rows<ArtifactRow>(
      `SELECT ${ARTIFACT_COLUMNS} FROM artifacts a WHERE a.trial_id = $1 ORDER BY a.created_at, a.id`,
      [trialId],
    );
    return rows.map(toArtifact);
  }

  /** Artifacts of many trials at once (the per-request loader's fetch). */
  async listMany(trialIds: readonly string[]): Promise<Map<string, Artifact[]>> {
    const rows = await this.db.rows<ArtifactRow>(
      `SELECT ${ARTIFACT_COLUMNS} FROM artifacts a WHERE a.trial_id = ANY($1::uuid[]) ORDER BY a.created_at, a.id`,
      [trialIds],
    );
    const out = new Map<string, Artifact[]>();
    for (const row of rows) {
      const list = out.get(row.trial_id) ?? [];
      list.push(toArtifact(row));
      out.set(row.trial_id, list);
    }
    return out;
  }

  private async trialRole(
    caller: Caller,
    trialId: string,
  ): Promise<{ role: Role | null; teamId: string | null }> {
    const row = await this.db.one<{ team_id: string; member_role: Role | null }>(
      `SELECT s.team_id, ${memberRoleSql('s.team_id', '$2')} AS member_role
       FROM trials t JOIN studies s ON s.id = t.study_id WHERE t.id = $1`,
      [trialId, callerUserId(caller)],
    );
    return { role: row && roleFor(caller, row.team_id, row.member_role), teamId: row?.team_id ?? null };
  }

  async upload(
    caller: Caller | null,
    trialId: string | null | undefined,
    filename: string | null | undefined,
    contentType: string | null | undefined,
    body: Readable,
  ): Promise<Artifact> {
    const c = requireCaller(caller);
    if (!trialId) throw new BadUserInputError('trialId', 'is required (?trialId=)');
    if (!isUuid(trialId)) throw new NotFoundError('trial');
    const access = await this.trialRole(c, trialId);
    decide(access.role, Role.MEMBER, 'trial');
    // The team's quota: what is left of it bounds this upload (concurrent uploads may each take
    // the rest: the overshoot is bounded by their number x maxBytes).
    const left = this.teamQuotaBytes - (access.teamId === null ? 0 : await this.teamUsage(access.teamId));
    const quota = this.teamQuotaBytes;
    const quotaMessage = `the team's artifact quota of ${this.teamQuotaBytes} bytes is used up`;
    if (left <= 0) throw new ArtifactTooLargeError(this.teamQuotaBytes, quotaMessage);
    const id = randomUUID();
    const hash = createHash('sha256');
    let size = 0;
    const limit = this.maxBytes;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        if (size > limit) {
          callback(new ArtifactTooLargeError(limit));
          return;
        }
        if (size > left) {
          callback(new ArtifactTooLargeError(quota, quotaMessage));
          return;
        }
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    try {
      await this.store.write(id, body, meter);
    } catch (error) {
      // A read-only or full store is typed (503, what failed, no path), and /readyz hears of it.
      const failure = storeFailure(error);
      if (failure === null) throw error;
      this.storeHealth.uploadFailed(failure);
      throw failure;
    }
    this.storeHealth.uploadSucceeded();
    try {
      const row = await this.db.one<ArtifactRow>(
        `INSERT INTO artifacts AS a (id, trial_id, display_name, content_type, size_bytes, sha256)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${ARTIFACT_COLUMNS}`,
        [
          id,
          trialId,
          sanitizeDisplayName(filename),
          sanitizeContentType(contentType),
          size,
          hash.digest('hex'),
        ],
      );
      if (row === null) throw new Error('insert returned nothing');
      return toArtifact(row);
    } catch (error) {
      await this.store.remove(id).catch(() => {});
      throw error;
    }
  }

  async open(caller: Caller | null, artifactId: string): Promise<{ artifact: Artifact; stream: ReadStream }> {
    const c = requireCaller(caller);
    if (!isUuid(artifactId)) throw new NotFoundError('artifact');
    const row = await this.db.one<ArtifactRow & { team_id: string; member_role: Role | null }>(
      `SELECT ${ARTIFACT_COLUMNS}, s.team_id, ${memberRoleSql('s.team_id', '$2')} AS member_role
       FROM artifacts a JOIN trials t ON t.id = a.trial_id JOIN studies s ON s.id = t.study_id WHERE a.id = $1`,
      [artifactId, callerUserId(c)],
    );
    decide(row && roleFor(c, row.team_id, row.member_role), Role.VIEWER, 'artifact');
    if (row === null) throw new NotFoundError('artifact');
    return { artifact: toArtifact(row), stream: await this.store.open(row.id) };
  }
}
