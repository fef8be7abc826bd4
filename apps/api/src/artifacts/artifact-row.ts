import { Artifact } from '../graphql/types.js';

/** An artifact row as the artifact service selects it, and its GraphQL object. */
export interface ArtifactRow {
  id: string;
  trial_id: string;
  display_name: string;
  content_type: string;
  size_bytes: string | number;
  sha256: string;
  created_at: Date;
}
export const ARTIFACT_COLUMNS =
  'a.id, a.trial_id, a.display_name, a.content_type, a.size_bytes, a.sha256, a.created_at';

export function toArtifact(row: ArtifactRow): Artifact {
  return Object.assign(new Artifact(), {
    id: row.id,
    trialId: row.trial_id,
    name: row.display_name,
    contentType: row.content_type,
    sizeBytes: Number(row.size_bytes),
    sha256: row.sha256,
    createdAt: row.created_at,
    url: `/artifacts/${row.id}`,
  });
}
