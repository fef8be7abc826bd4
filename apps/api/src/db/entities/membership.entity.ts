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

@Entity({ name: 'memberships' })
@Unique('UQ_memberships_team_user', ['teamId', 'userId'])
@Check('CHK_memberships_role', `"role" IN (${sqlList(Object.values(Role))})`)
export class MembershipEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'team_id', type: 'uuid' })
  teamId: string;

  // "Which teams am I in" reads by user; the unique constraint already covers reads by team.
  @Index('IDX_memberships_user')
  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'text' })
  role: Role;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @ManyToOne(() => TeamEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'FK_memberships_team' })
  team?: Relation<TeamEntity>;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_memberships_user' })
  user?: Relation<UserEntity>;
}
