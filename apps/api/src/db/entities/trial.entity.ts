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
import { sqlList, TERMINAL_TRIAL_STATES, TrialState } from './enums.js';
import type { TrialParams, TrialSuggestion } from './json.js';
import { StudyEntity } from './study.entity.js';

// PostgreSQL orders NaN above every number and treats NaN = NaN as true, so comparing against the
// three special values is an exact finiteness test.
export const finiteSql = (column: string): string =>
  `"${column}" NOT IN ('NaN'::double precision, 'Infinity'::double precision, '-Infinity'::double precision)`;

/** The same test over a float8[] column (PostgreSQL's `&&` compares NaN equal to NaN). */
export const finiteArraySql = (column: string): string =>
  `"${column}" IS NULL OR NOT ("${column}" && ARRAY['NaN', 'Infinity', '-Infinity']::double precision[])`;

/**
 * The SQL types an informational trial column may have, and the TypeScript type each reads as.
 * Scalars are nullable; `text[]` is a list, NOT NULL DEFAULT '{}' (empty rather than null).
 */
export type TrialInfoSqlType =
  | 'text'
  | 'double precision'
  | 'integer'
  | 'boolean'
  | 'text[]'
  | 'jsonb'
  | 'jsonb list';
export interface TrialInfoColumn {
  /** The column in `trials` (snake_case). */
  readonly column: string;
  /**
   * `jsonb` is a nullable object, `jsonb list` a JSON array (NOT NULL DEFAULT '[]', [] when unset);
   * both name their GraphQL object type in `shape` (graphql/types.ts `TRIAL_INFO_SHAPES`).
   */
  readonly type: TrialInfoSqlType;
  /** The GraphQL object type of a `jsonb` / `jsonb list` field (its elements for a list). */
  readonly shape?: 'TrialAttribute' | 'TrialEnvironment';
  /** Becomes the GraphQL field's description. */
  readonly description: string;
  /**
   * false: not carried by `Study.trialTable` (values too large to send for every trial of a study;
   * the trial page reads them). Default true.
   */
  readonly inTable?: boolean;
}

/**
 * A trial's informational fields: nullable, no constraint, no index, nothing decides on them (a
 * note, a tag). Each entry is the whole definition of its field in the API: this entity's column,
 * the trial row and its SQL column lists (`trial/trial-row.ts`), the trial record, the GraphQL
 * `Trial` field and the dashboard's trial table all derive from it. A new one is one line here,
 * plus its migration (docs/DEVELOPING.md, "What a new trial field touches"). Fields the API
 * reasons about (state, value, times, ...) are written out below instead.
 */
export const TRIAL_INFO = {
  note: {
    column: 'note',
    type: 'text',
    description: 'A free-text note on the trial (any state; at most 10,000 chars)',
  },
  tags: {
    column: 'tags',
    type: 'text[]',
    description: 'Labels on the trial (any state; at most 20 of at most 64 chars)',
  },
  attributes: {
    column: 'attributes',
    type: 'jsonb list',
    shape: 'TrialAttribute',
    description:
      'User attributes, key -> string, number or boolean (any state; at most 50, keys of at most 64 chars, strings of at most 1,000)',
  },
  logTail: {
    column: 'log_tail',
    type: 'text',
    description:
      "The last lines of the worker's output for a FAILED trial, as the worker told it (at most 64 lines / 8 KB)",
    inTable: false,
  },
  pruneStep: {
    column: 'prune_step',
    type: 'integer',
    description: "The step at which the study's pruner decided to stop this trial",
  },
  pruneReason: {
    column: 'prune_reason',
    type: 'text',
    description: "Why the study's pruner decided to stop this trial, e.g. the median it was compared with",
  },
  environment: {
    column: 'environment',
    type: 'jsonb',
    shape: 'TrialEnvironment',
    description: 'What the trial ran on (backend, host, Node and package versions), as its worker told it',
    inTable: false,
  },
} as const satisfies Record<string, TrialInfoColumn>;

/** A JSON object as a `jsonb` informational column holds it (its GraphQL type gives the shape). */
export type TrialInfoJson = { [key: string]: unknown };
type TsOf<T extends TrialInfoSqlType> = T extends 'text[]'
  ? string[]
  : T extends 'jsonb list'
    ? TrialInfoJson[]
    : T extends 'jsonb'
      ? TrialInfoJson | null
      : (T extends 'text' ? string : T extends 'boolean' ? boolean : number) | null;
/** The informational fields' values as a trial record carries them (null when unset, [] for lists). */
export type TrialInfo = {
  -readonly [K in keyof typeof TRIAL_INFO]: TsOf<(typeof TRIAL_INFO)[K]['type']>;
};
/** The same values as a trial row carries them, by column name. */
export type TrialInfoRow = {
  -readonly [K in keyof typeof TRIAL_INFO as (typeof TRIAL_INFO)[K]['column']]: TsOf<
    (typeof TRIAL_INFO)[K]['type']
  >;
};

/**
 * [field, column, empty] of each informational field, for the row mappings' loops; `empty` is what
 * it reads as when a value is missing (null, or [] for a list).
 */
export const TRIAL_INFO_COLUMNS: ReadonlyArray<
  readonly [field: string, column: string, empty: () => null | string[] | TrialInfoJson[]]
> = Object.entries(TRIAL_INFO as Record<string, TrialInfoColumn>).map(
  ([field, c]) => [field, c.column, isTrialInfoList(c.type) ? () => [] : () => null] as const,
);

/** Lists read as [] when unset (NOT NULL DEFAULT empty); scalars and objects as null. */
export function isTrialInfoList(type: TrialInfoSqlType): boolean {
  return type === 'text[]' || type === 'jsonb list';
}

@Entity({ name: 'trials' })
@Unique('UQ_trials_study_number', ['studyId', 'number'])
// Lets metric_points reference (trial_id, study_id) together, so its denormalised study_id can
// never disagree with the trial's.
@Unique('UQ_trials_id_study', ['id', 'studyId'])
@Index('IDX_trials_study_state', ['studyId', 'state'])
// The reaper scans RUNNING trials by heartbeat age.
@Index('IDX_trials_state_heartbeat', ['state', 'heartbeatAt'])
@Index('IDX_trials_retry_of', ['retryOf'])
// A retried ask finds the trials its first attempt claimed (only keyed claims are indexed).
@Index('IDX_trials_study_request_key', ['studyId', 'requestKey'], { where: '"request_key" IS NOT NULL' })
@Check('CHK_trials_state', `"state" IN (${sqlList(Object.values(TrialState))})`)
@Check('CHK_trials_number', `"number" >= 0`)
@Check('CHK_trials_params', `jsonb_typeof("params") = 'object'`)
@Check('CHK_trials_suggestion', `"suggestion" IS NULL OR jsonb_typeof("suggestion") = 'object'`)
@Check('CHK_trials_value_finite', `"value" IS NULL OR (${finiteSql('value')})`)
@Check('CHK_trials_values_finite', finiteArraySql('values'))
@Check('CHK_trials_constraint_values_finite', finiteArraySql('constraint_values'))
@Check(
  'CHK_trials_finished_iff_terminal',
  `("finished_at" IS NOT NULL) = ("state" IN (${sqlList(TERMINAL_TRIAL_STATES)}))`,
)
@Check('CHK_trials_running_started', `"state" <> 'RUNNING' OR "started_at" IS NOT NULL`)
@Check('CHK_trials_retry_not_self', `"retry_of" IS NULL OR "retry_of" <> "id"`)
export class TrialEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'study_id', type: 'uuid' })
  studyId: string;

  /** Dense per study, allocated from studies.next_trial_number. */
  @Column({ type: 'integer' })
  number: number;

  @Column({ type: 'text', default: TrialState.WAITING })
  state: TrialState;

  @Column({ type: 'jsonb' })
  params: TrialParams;

  /** The objective value; finite when set (the database rejects NaN and infinities). */
  @Column({ type: 'double precision', nullable: true })
  value: number | null;

  /**
   * One value per objective in study order (issue 17); null until told. Single-objective COMPLETE
   * trials store `[value]`. `value` stays the first.
   */
  @Column({ type: 'double precision', array: true, nullable: true })
  values: number[] | null;

  /** One value per outcome constraint in study order; null until told or when the study has none. */
  @Column({ name: 'constraint_values', type: 'double precision', array: true, nullable: true })
  constraintValues: number[] | null;

  /** What the sampler predicted for this trial; null for enqueued trials. */
  @Column({ type: 'jsonb', nullable: true })
  suggestion: TrialSuggestion | null;

  @Column({ name: 'worker_id', type: 'text', nullable: true })
  workerId: string | null;

  /**
   * The client's key of the ask that claimed this trial (askTrials `requestKey`): a retry of that
   * ask (its answer lost) gets the same trials back instead of claiming new ones.
   */
  @Column({ name: 'request_key', type: 'text', nullable: true })
  requestKey: string | null;

  @Column({ name: 'heartbeat_at', type: 'timestamptz', nullable: true })
  heartbeatAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  /** Set exactly when the state is terminal (COMPLETE, PRUNED, FAILED). */
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  /** The FAILED trial this one retries (same params). */
  @Column({ name: 'retry_of', type: 'uuid', nullable: true })
  retryOf: string | null;

  @ManyToOne(() => StudyEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'study_id', foreignKeyConstraintName: 'FK_trials_study' })
  study?: Relation<StudyEntity>;

  @ManyToOne(() => TrialEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'retry_of', foreignKeyConstraintName: 'FK_trials_retry_of' })
  retried?: Relation<TrialEntity> | null;
}

// The informational columns, declared as if each were written out in the class above.
for (const [field, c] of Object.entries(TRIAL_INFO as Record<string, TrialInfoColumn>))
  Column(
    c.type === 'text[]'
      ? { name: c.column, type: 'text', array: true, default: () => "'{}'" }
      : c.type === 'jsonb list'
        ? { name: c.column, type: 'jsonb', default: () => "'[]'" }
        : { name: c.column, type: c.type, nullable: true },
  )(TrialEntity.prototype, field);
