import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { TrialEntity } from './trial.entity.js';

// Stored bytes are addressed by `id` only (under the data dir), never by a user-supplied path:
// display_name is shown to people and never touches the filesystem.
const bigintAsNumber = {
  to: (value: number): number => value,
  from: (value: string | null): number | null => (value === null ? null : Number(value)),
};

@Entity({ name: 'artifacts' })
@Check('CHK_artifacts_size', `"size_bytes" >= 0`)
@Check('CHK_artifacts_sha256', `"sha256" ~ '^[0-9a-f]{64}$'`)
@Check('CHK_artifacts_display_name', `char_length("display_name") BETWEEN 1 AND 255`)
export class ArtifactEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('IDX_artifacts_trial')
  @Column({ name: 'trial_id', type: 'uuid' })
  trialId: string;

  @Column({ name: 'display_name', type: 'text' })
  displayName: string;

  @Column({ name: 'content_type', type: 'text' })
  contentType: string;

  @Column({ name: 'size_bytes', type: 'bigint', transformer: bigintAsNumber })
  sizeBytes: number;

  /** Lower-case hex SHA-256 of the stored bytes. */
  @Column({ type: 'text' })
  sha256: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @ManyToOne(() => TrialEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'trial_id', foreignKeyConstraintName: 'FK_artifacts_trial' })
  trial?: Relation<TrialEntity>;
}
