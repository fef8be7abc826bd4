import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'users' })
@Check('CHK_users_email', `position('@' in "email") > 1 AND char_length("email") <= 320`)
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  // Case-insensitive uniqueness is an expression index on lower(email) that the initial migration
  // creates; `synchronize: false` tells TypeORM's schema diff to leave it alone. Look users up with
  // `lower(email) = lower($1)` so the index is used.
  @Index('UQ_users_email_lower', { synchronize: false })
  @Column({ type: 'text' })
  email: string;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash: string;

  @Column({ type: 'text', nullable: true })
  name: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
