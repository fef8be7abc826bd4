import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { callerUserId, decide, memberRoleSql, requireCaller, roleFor } from '../authz/authorization.js';
import type { Caller } from '../authz/caller.js';
import type { Db } from '../common/db.js';
import { BadUserInputError, NotFoundError } from '../common/errors.js';
import { isUuid } from '../common/validate.js';
import { Role } from '../db/index.js';
import { ARTIFACT_COLUMNS, type ArtifactRow, toArtifact } from '../graphql/mapping.js';
import type { Artifact } from '../graphql/types.js';

export const DEFAULT_MAX_ARTIFACT_BYTES = 512 * 1024 * 1024;

/** Thrown when an upload exceeds the size limit; the router answers 413. */
export class ArtifactTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`artifact exceeds the limit of ${limit} bytes`);
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
  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    readonly maxBytes: number = DEFAULT_MAX_ARTIFACT_BYTES,
  ) {}

  private pathOf(id: string): string {
    // Only ever called with ids that passed isUuid: the path cannot leave the artifacts directory.
    return join(this.dataDir, 'artifacts', id.slice(0, 2), id);
  }

  /** Removes the stored files of artifacts whose rows were deleted (with their study); missing files are fine. */
  async removeFiles(artifactIds: readonly string[]): Promise<void> {
    for (const id of artifactIds) {
      if (isUuid(id)) await rm(this.pathOf(id), { force: true });
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

  private async trialRole(caller: Caller, trialId: string): Promise<{ role: Role | null }> {
    const row = await this.db.one<{ team_id: string; member_role: Role | null }>(
      `SELECT s.team_id, ${memberRoleSql('s.team_id', '$2')} AS member_role
       FROM trials t JOIN studies s ON s.id = t.study_id WHERE t.id = $1`,
      [trialId, callerUserId(caller)],
    );
    return { role: row && roleFor(caller, row.team_id, row.member_role) };
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
    decide((await this.trialRole(c, trialId)).role, Role.MEMBER, 'trial');
    const id = randomUUID();
    const dir = join(this.dataDir, 'artifacts', id.slice(0, 2));
    const tmpDir = join(this.dataDir, 'artifacts', 'tmp');
    await mkdir(dir, { recursive: true });
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, `${id}.part`);
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
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(tmp, { flags: 'wx' }));
      await rename(tmp, this.pathOf(id));
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
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
      await rm(this.pathOf(id), { force: true });
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
    const path = this.pathOf(row.id);
    await stat(path).catch(() => {
      throw new NotFoundError('artifact file');
    });
    return { artifact: toArtifact(row), stream: createReadStream(path) };
  }
}
