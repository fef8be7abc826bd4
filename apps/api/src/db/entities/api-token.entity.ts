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
  Unique,
} from 'typeorm';
import { Role, sqlList } from './enums.js';
import { TeamEntity } from './team.entity.js';
import { UserEntity } from './user.entity.js';

@Entity({ name: 'api_tokens' })
@Unique('UQ_api_tokens_token_hash', ['tokenHash'])
@Check('CHK_api_tokens_role', `"role" IN (${sqlList(Object.values(Role))})`)
@Check('CHK_api_tokens_name', `char_length(btrim("name")) BETWEEN 1 AND 200`)
export class ApiTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('IDX_api_tokens_team')
  @Column({ name: 'team_id', type: 'uuid' })
  teamId: string;

  @Column({ type: 'text' })
  name: string;

  /** Hash of the bearer secret; the secret is shown once at creation and never stored. */
  @Column({ name: 'token_hash', type: 'text' })
  tokenHash: string;

  @Column({ type: 'text', default: Role.MEMBER })
  role: Role;

  /** Null once the creating user is deleted: the token belongs to the team, not the user. */
  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @ManyToOne(() => TeamEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'FK_api_tokens_team' })
  team?: Relation<TeamEntity>;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'FK_api_tokens_created_by' })
  creator?: Relation<UserEntity> | null;
}
