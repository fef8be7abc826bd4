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
  UpdateDateColumn,
} from 'typeorm';
import { Direction, StudyState, sqlList } from './enums.js';
import type { JsonObject, JsonValue } from './json.js';
import { TeamEntity } from './team.entity.js';
import { UserEntity } from './user.entity.js';

@Entity({ name: 'studies' })
@Index('IDX_studies_team_created', ['teamId', 'createdAt'])
@Check('CHK_studies_name', `char_length(btrim("name")) BETWEEN 1 AND 200`)
@Check('CHK_studies_objective', `char_length("objective") BETWEEN 1 AND 200`)
@Check('CHK_studies_direction', `"direction" IN (${sqlList(Object.values(Direction))})`)
@Check('CHK_studies_state', `"state" IN (${sqlList(Object.values(StudyState))})`)
@Check('CHK_studies_search_space', `jsonb_typeof("search_space") = 'array'`)
@Check('CHK_studies_sampler', `jsonb_typeof("sampler") = 'object'`)
@Check('CHK_studies_pruner', `jsonb_typeof("pruner") = 'object'`)
@Check('CHK_studies_max_trials', `"max_trials" > 0`)
@Check('CHK_studies_parallelism', `"parallelism" > 0`)
@Check('CHK_studies_heartbeat_timeout', `"heartbeat_timeout_s" > 0`)
@Check('CHK_studies_retry_failed', `"retry_failed" >= 0`)
@Check('CHK_studies_next_trial_number', `"next_trial_number" >= 0`)
@Check('CHK_studies_budget_used', `"budget_used" >= 0`)
@Check(
  'CHK_studies_objectives',
  `jsonb_typeof("objectives") = 'array' AND jsonb_array_length("objectives") BETWEEN 1 AND 4`,
)
@Check('CHK_studies_constraints', `jsonb_typeof("constraints") = 'array'`)
@Check(
  'CHK_studies_reference_point',
  `"reference_point" IS NULL OR jsonb_typeof("reference_point") = 'array'`,
)
export class StudyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'team_id', type: 'uuid' })
  teamId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  direction: Direction;

  /** The metric name the study optimizes, e.g. `val_loss`. */
  @Column({ type: 'text' })
  objective: string;

  /**
   * Every objective, `[{name, direction}]` in study order (issue 17); the first is always
   * `objective`/`direction`. Single-objective studies hold that one entry.
   */
  @Column({ type: 'jsonb' })
  objectives: Array<{ name: string; direction: Direction }>;

  /** Outcome constraints, `[{name}]`: a trial is feasible when every constraint value is <= 0. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  constraints: Array<{ name: string }>;

  /** The hypervolume reference point (one value per objective, their units); null: inferred. */
  @Column({ name: 'reference_point', type: 'jsonb', nullable: true })
  referencePoint: number[] | null;

  /** docs/DESIGN.md section 3 format: an array of parameter definitions. */
  @Column({ name: 'search_space', type: 'jsonb' })
  searchSpace: JsonValue[];

  @Column({ type: 'jsonb' })
  sampler: JsonObject;

  @Column({ type: 'jsonb' })
  pruner: JsonObject;

  @Column({ name: 'max_trials', type: 'integer' })
  maxTrials: number;

  @Column({ type: 'integer', default: 1 })
  parallelism: number;

  @Column({ name: 'heartbeat_timeout_s', type: 'integer', default: 60 })
  heartbeatTimeoutS: number;

  @Column({ name: 'retry_failed', type: 'integer', default: 0 })
  retryFailed: number;

  @Column({ type: 'text', default: StudyState.RUNNING })
  state: StudyState;

  /**
   * The number the next trial of this study gets. Allocate with
   * `UPDATE studies SET next_trial_number = next_trial_number + 1 WHERE id = $1 RETURNING
   * next_trial_number - 1`: the row lock serialises concurrent allocations, so numbers are dense and
   * never collide (the unique (study_id, number) constraint is the backstop).
   */
  @Column({ name: 'next_trial_number', type: 'integer', default: 0 })
  nextTrialNumber: number;

  /** Trials counted against max_trials: every trial except retry copies (kept by the API). */
  @Column({ name: 'budget_used', type: 'integer', default: 0 })
  budgetUsed: number;

  /** Earlier studies of the same team whose completed trials warm-start this one's model (issue 18). */
  @Column({ name: 'warm_start_from', type: 'uuid', array: true, default: () => "'{}'" })
  warmStartFrom: string[];

  /** Free text shown on the study page (at most 10,000 chars). */
  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** Null once the creating user is deleted: the study belongs to the team. */
  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @ManyToOne(() => TeamEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'FK_studies_team' })
  team?: Relation<TeamEntity>;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'FK_studies_created_by' })
  creator?: Relation<UserEntity> | null;
}
