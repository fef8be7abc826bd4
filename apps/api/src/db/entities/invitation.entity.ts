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
import { InvitationState, Role, sqlList } from './enums.js';
import { TeamEntity } from './team.entity.js';
import { UserEntity } from './user.entity.js';

/**
 * An offer to join a team, addressed to an email: nobody becomes a member until the person who
 * logs in with that email accepts. One PENDING invitation per team and email (a partial unique
 * index); answered ones are kept with their state.
 */
@Entity({ name: 'invitations' })
@Index('UQ_invitations_pending_team_email', ['teamId', 'email'], {
  unique: true,
  where: `"state" = 'PENDING'`,
})
@Check('CHK_invitations_role', `"role" IN (${sqlList(Object.values(Role))})`)
@Check('CHK_invitations_state', `"state" IN (${sqlList(Object.values(InvitationState))})`)
@Check('CHK_invitations_email', `char_length("email") BETWEEN 3 AND 320 AND "email" = lower("email")`)
export class InvitationEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_invitations' })
  id: string;

  @Column({ name: 'team_id', type: 'uuid' })
  teamId: string;

  /** Lower case; matched against the invitee's login email. "My invitations" reads by it. */
  @Index('IDX_invitations_email')
  @Column({ type: 'text' })
  email: string;

  @Column({ type: 'text' })
  role: Role;

  @Column({ type: 'text', default: InvitationState.PENDING })
  state: InvitationState;

  /** Null once the inviting user is deleted (then the invitation can no longer be accepted). */
  @Column({ name: 'invited_by', type: 'uuid', nullable: true })
  invitedBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'responded_at', type: 'timestamptz', nullable: true })
  respondedAt: Date | null;

  @ManyToOne(() => TeamEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'FK_invitations_team' })
  team?: Relation<TeamEntity>;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'invited_by', foreignKeyConstraintName: 'FK_invitations_invited_by' })
  inviter?: Relation<UserEntity> | null;
}
