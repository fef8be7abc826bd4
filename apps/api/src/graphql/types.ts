import { GraphQLScalarType, Kind } from 'graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { TRIAL_INFO, type TrialInfoColumn, type TrialInfoSqlType } from '../db/index.js';
import {
  Direction,
  InvitationState,
  ReferencePointSource,
  Role,
  StudyState,
  TrialEventKind,
  TrialState,
} from './enums.js';

/**
 * GraphQL object types: plain classes, separate from the TypeORM entities. Services return
 * records; `mapping.ts` is the one place records become these. Fields resolved lazily (a study's
 * trials, insights) are added by field resolvers beside each feature.
 */

@ObjectType()
export class User {
  @Field(() => ID) id: string;
  @Field(() => String) email: string;
  @Field(() => String, { nullable: true }) name: string | null;
  @Field(() => Date) createdAt: Date;
}

@ObjectType()
export class Team {
  @Field(() => ID) id: string;
  @Field(() => String) name: string;
  @Field(() => Date) createdAt: Date;
  @Field(() => Role, { description: "The caller's role in this team" }) role: Role;
}

@ObjectType()
export class Membership {
  @Field(() => ID) id: string;
  @Field(() => ID) teamId: string;
  @Field(() => Role) role: Role;
  @Field(() => User) user: User;
  @Field(() => Date) createdAt: Date;
}

@ObjectType({
  description:
    'An offer to join a team, addressed to an email; the person who logs in with that email accepts or declines it',
})
export class Invitation {
  @Field(() => ID) id: string;
  @Field(() => ID) teamId: string;
  @Field(() => String, { description: 'The team the invitation is to' }) teamName: string;
  @Field(() => String, { description: 'The invitee (lower case)' }) email: string;
  @Field(() => Role, { description: 'The role the invitee gets on accepting' }) role: Role;
  @Field(() => InvitationState) state: InvitationState;
  @Field(() => User, { nullable: true, description: 'Who invited (null once that account is gone)' })
  invitedBy: User | null;
  @Field(() => Date) createdAt: Date;
  @Field(() => Date) expiresAt: Date;
  @Field(() => Date, { nullable: true }) respondedAt: Date | null;
}

@ObjectType()
export class AuthPayload {
  @Field(() => String, { description: 'The session secret; send as `Authorization: Bearer <token>`' })
  token: string;
  @Field(() => User) user: User;
  @Field(() => Date) expiresAt: Date;
}

@ObjectType()
export class ApiToken {
  @Field(() => ID) id: string;
  @Field(() => ID) teamId: string;
  @Field(() => String) name: string;
  @Field(() => Role) role: Role;
  @Field(() => Date) createdAt: Date;
  @Field(() => Date, { nullable: true }) lastUsedAt: Date | null;
  @Field(() => Date, { nullable: true }) revokedAt: Date | null;
}

@ObjectType({ description: 'A new API token; `token` is shown only in this response' })
export class ApiTokenSecret {
  @Field(() => ID) id: string;
  @Field(() => String) token: string;
  @Field(() => ApiToken) apiToken: ApiToken;
}

@ObjectType()
export class PageInfo {
  @Field(() => Boolean) hasNextPage: boolean;
  @Field(() => String, { nullable: true }) endCursor: string | null;
}

@ObjectType({ description: 'One objective of a study: the metric it optimizes and which way' })
export class Objective {
  @Field(() => String) name: string;
  @Field(() => Direction) direction: Direction;
}

@ObjectType({ description: 'An outcome constraint: a trial is feasible when every constraint value is <= 0' })
export class Constraint {
  @Field(() => String) name: string;
}

@ObjectType({ description: "The hypervolume reference point, in the objectives' own units" })
export class ReferencePoint {
  @Field(() => [Float]) values: number[];
  @Field(() => ReferencePointSource) source: ReferencePointSource;
}

@ObjectType({ description: 'The hypervolume of the feasible front after a COMPLETE trial' })
export class HypervolumePoint {
  @Field(() => Int) trialNumber: number;
  @Field(() => Float) hypervolume: number;
}

@ObjectType()
export class Study {
  @Field(() => ID) id: string;
  @Field(() => ID) teamId: string;
  @Field(() => String) name: string;
  @Field(() => StudyState) state: StudyState;
  @Field(() => Direction) direction: Direction;
  @Field(() => String, { description: "The first objective's metric name" }) objective: string;
  @Field(() => [Objective], {
    description: 'Every objective in study order (single-objective: [{objective, direction}])',
  })
  objectives: Objective[];
  @Field(() => [Constraint], { description: 'Outcome constraints in study order ([] when none)' })
  constraints: Constraint[];
  @Field(() => Boolean, { description: 'Two or more objectives' }) isMultiObjective: boolean;
  /** The stored reference point (null: inferred); the `referencePoint` field resolves from it. */
  givenReferencePoint: number[] | null;
  @Field(() => GraphQLJSON) searchSpace: unknown;
  @Field(() => GraphQLJSON) sampler: unknown;
  @Field(() => GraphQLJSON) pruner: unknown;
  @Field(() => Int) maxTrials: number;
  @Field(() => Int) parallelism: number;
  @Field(() => Int) heartbeatTimeoutS: number;
  @Field(() => Int) retryFailed: number;
  @Field(() => [ID], {
    description: 'Earlier studies of the team whose completed trials warm-start the model',
  })
  warmStartFrom: string[];
  @Field(() => String, { nullable: true, description: 'Free text shown on the study page' })
  description: string | null;
  @Field(() => Date) createdAt: Date;
  @Field(() => Date) updatedAt: Date;
}

@ObjectType()
export class StudyEdge {
  @Field(() => String) cursor: string;
  @Field(() => Study) node: Study;
}

@ObjectType()
export class StudyConnection {
  @Field(() => [StudyEdge]) edges: StudyEdge[];
  @Field(() => [Study]) nodes: Study[];
  @Field(() => PageInfo) pageInfo: PageInfo;
  @Field(() => Int) totalCount: number;
}

@ObjectType({ description: 'What the sampler predicted when it suggested the trial' })
export class Suggestion {
  @Field(() => String) sampler: string;
  @Field(() => String, { nullable: true, description: 'initial | model | fallback' }) phase: string | null;
  @Field(() => Float, { nullable: true }) mean: number | null;
  @Field(() => Float, { nullable: true }) std: number | null;
  @Field(() => Float, { nullable: true }) acquisition: number | null;
  @Field(() => String, { nullable: true }) acquisitionName: string | null;
  @Field(() => [Float], {
    nullable: true,
    description: 'Predicted mean of each objective, in study order (multi-objective or constrained studies)',
  })
  means: number[] | null;
  @Field(() => [Float], { nullable: true, description: 'Predicted standard deviation of each objective' })
  stds: number[] | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Predicted probability that the trial is feasible (constrained studies)',
  })
  feasibility: number | null;
}

@ObjectType()
export class Trial {
  @Field(() => ID) id: string;
  @Field(() => ID) studyId: string;
  @Field(() => Int) number: number;
  @Field(() => TrialState) state: TrialState;
  @Field(() => GraphQLJSON) params: unknown;
  @Field(() => Float, { nullable: true, description: "The first objective's value" }) value: number | null;
  @Field(() => [Float], {
    nullable: true,
    description:
      'One value per objective in study order; null until told (single-objective COMPLETE: [value])',
  })
  values: number[] | null;
  @Field(() => [Float], {
    nullable: true,
    description: 'One value per constraint in study order; null until told or when the study has none',
  })
  constraints: number[] | null;
  @Field(() => Boolean, {
    nullable: true,
    description: 'Every constraint value <= 0; null until COMPLETE; true when the study has no constraints',
  })
  feasible: boolean | null;
  @Field(() => Suggestion, { nullable: true }) suggestion: Suggestion | null;
  @Field(() => String, { nullable: true }) workerId: string | null;
  @Field(() => String, { nullable: true }) error: string | null;
  @Field(() => ID, { nullable: true, description: 'The FAILED trial this one retries' }) retryOf:
    | string
    | null;
  @Field(() => Date) createdAt: Date;
  @Field(() => Date, { nullable: true }) startedAt: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt: Date | null;
  @Field(() => Date, { nullable: true }) heartbeatAt: Date | null;
}

/** A user attribute's value: a string, a finite number or a boolean (GraphQL has no union of scalars). */
export type AttributeValue = string | number | boolean;
const attributeValue = (v: unknown): AttributeValue => {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw new TypeError('an attribute value is a string, a finite number or a boolean');
};
export const AttributeValueScalar = new GraphQLScalarType<AttributeValue, AttributeValue>({
  name: 'AttributeValue',
  description: 'A trial attribute value: a String, a finite Float or a Boolean',
  serialize: attributeValue,
  parseValue: attributeValue,
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING || ast.kind === Kind.BOOLEAN) return ast.value;
    if (ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return attributeValue(Number(ast.value));
    throw new TypeError('an attribute value is a string, a finite number or a boolean');
  },
});

@ObjectType({ description: 'A user attribute of a trial (key -> string, number or boolean)' })
export class TrialAttribute {
  @Field(() => String) key: string;
  @Field(() => AttributeValueScalar) value: AttributeValue;
}

@ObjectType()
export class PackageVersion {
  @Field(() => String) name: string;
  @Field(() => String) version: string;
}

@ObjectType({ description: 'What a trial ran on, as its worker told it' })
export class TrialEnvironment {
  @Field(() => String, { nullable: true, description: 'e.g. tfjs-node, wasm, cpu' }) backend: string | null;
  @Field(() => String, { nullable: true }) host: string | null;
  @Field(() => String, { nullable: true, description: 'e.g. linux-x64' }) platform: string | null;
  @Field(() => String, { nullable: true, description: 'e.g. 22.13.0' }) nodeVersion: string | null;
  @Field(() => String, { nullable: true, description: 'The worker id' }) workerId: string | null;
  @Field(() => [PackageVersion], { description: 'e.g. @posterior/runner, @tensorflow/tfjs-node' })
  packages: PackageVersion[];
}

/** The GraphQL object types `jsonb` informational fields name (`TrialInfoColumn.shape`). */
const TRIAL_INFO_SHAPES = { TrialAttribute, TrialEnvironment } as const;

// The informational fields (TRIAL_INFO, beside the trial entity), as if written out above.
const GRAPHQL_TYPE_OF: Record<
  Exclude<TrialInfoSqlType, 'jsonb' | 'jsonb list'>,
  () => typeof String | typeof Float | typeof Int | typeof Boolean | [typeof String]
> = {
  text: () => String,
  'double precision': () => Float,
  integer: () => Int,
  boolean: () => Boolean,
  'text[]': () => [String],
};
for (const [field, c] of Object.entries(TRIAL_INFO as Record<string, TrialInfoColumn>)) {
  const shape = c.shape === undefined ? undefined : TRIAL_INFO_SHAPES[c.shape];
  const type =
    c.type === 'jsonb' || c.type === 'jsonb list'
      ? shape === undefined
        ? () => GraphQLJSON
        : c.type === 'jsonb list'
          ? () => [shape]
          : () => shape
      : GRAPHQL_TYPE_OF[c.type];
  Field(type, {
    // A list is never null (empty instead): [T!]!; a scalar or object is nullable.
    nullable: c.type !== 'text[]' && c.type !== 'jsonb list',
    description: c.description,
  })(Trial.prototype, field);
}

@ObjectType()
export class TrialEdge {
  @Field(() => String) cursor: string;
  @Field(() => Trial) node: Trial;
}

@ObjectType()
export class TrialConnection {
  @Field(() => [TrialEdge]) edges: TrialEdge[];
  @Field(() => [Trial]) nodes: Trial[];
  @Field(() => PageInfo) pageInfo: PageInfo;
  @Field(() => Int) totalCount: number;
}

@ObjectType()
export class TrialCounts {
  @Field(() => Int) waiting: number;
  @Field(() => Int) running: number;
  @Field(() => Int) complete: number;
  @Field(() => Int) pruned: number;
  @Field(() => Int) failed: number;
  @Field(() => Int) total: number;
  @Field(() => Int, {
    description:
      'Trials that retry a FAILED one (retryOf set). complete + pruned + failed - retries is the budget done.',
  })
  retries: number;
}

@ObjectType()
export class MetricPoint {
  @Field(() => ID) trialId: string;
  @Field(() => String) name: string;
  @Field(() => Int) step: number;
  @Field(() => Float) value: number;
  @Field(() => Date) time: Date;
}

@ObjectType()
export class Artifact {
  @Field(() => ID) id: string;
  @Field(() => ID) trialId: string;
  @Field(() => String, { description: 'Display name (sanitized); never a path on the server' }) name: string;
  @Field(() => String) contentType: string;
  @Field(() => Float) sizeBytes: number;
  @Field(() => String) sha256: string;
  @Field(() => Date) createdAt: Date;
  @Field(() => String, { description: 'Relative download URL (same auth as GraphQL)' }) url: string;
}

@ObjectType()
export class HeartbeatResult {
  @Field(() => Boolean, { description: 'True when the worker should stop this trial now' })
  shouldStop: boolean;
}

@ObjectType()
export class ReportResult {
  @Field(() => Int, { description: 'Points accepted (already-stored duplicates included)' }) accepted: number;
  @Field(() => Int, { description: 'Points newly stored by this call' }) inserted: number;
  @Field(() => Boolean) shouldPrune: boolean;
  @Field(() => String, {
    nullable: true,
    description: "Why the pruner says stop (also stored as the trial's pruneReason); null otherwise",
  })
  pruneReason?: string | null;
}

@ObjectType({
  description:
    'A change of a study that no trial event carries: DESCRIPTION (its description was set). Read the study again',
})
export class StudyUpdate {
  @Field(() => ID) studyId: string;
  @Field(() => String, { description: 'DESCRIPTION' }) change: string;
}

@ObjectType()
export class TrialEvent {
  @Field(() => TrialEventKind) type: TrialEventKind;
  @Field(() => Trial) trial: Trial;
  @Field(() => Int, {
    nullable: true,
    description:
      "The event's number in its study: 1, 2, 3, ... with none skipped. A jump means events were missed: " +
      'resubscribe with afterSeq set to the last number seen to have them replayed.',
  })
  seq: number | null;
  @Field(() => Boolean, {
    description:
      "True when the trial's annotations (note, tags, attributes) changed, not its state: `type` then " +
      "repeats the event of the trial's current state (CREATED, CLAIMED, COMPLETE, PRUNED, FAILED), " +
      'so clients that know only state events still take the trial as it now is',
  })
  annotated: boolean;
}

@ObjectType()
export class HistoryPoint {
  @Field(() => ID) trialId: string;
  @Field(() => Int) number: number;
  @Field(() => TrialState) state: TrialState;
  @Field(() => Float, { nullable: true }) value: number | null;
  @Field(() => Float, { nullable: true, description: 'Best COMPLETE value up to and including this trial' })
  bestSoFar: number | null;
}

@ObjectType()
export class ParamImportance {
  @Field(() => String) param: string;
  @Field(() => Float, { description: 'Share of importance, summing to 1 over the parameters' })
  importance: number;
  @Field(() => Float, { nullable: true, description: 'GP lengthscale in the unit cube' }) lengthscale:
    | number
    | null;
}

@ObjectType()
export class SurrogatePoint {
  @Field(() => GraphQLJSON, { description: 'The parameter value (number, string or boolean)' }) x: unknown;
  @Field(() => Float) mean: number;
  @Field(() => Float) std: number;
  @Field(() => Float) acquisition: number;
}

@ObjectType({ description: "A completed trial of a warm-start source study, along the slice's parameter" })
export class SourcePoint {
  @Field(() => ID) studyId: string;
  @Field(() => GraphQLJSON, { description: 'The parameter value (number, string or boolean)' }) x: unknown;
  @Field(() => Float, { description: "The source study's objective value" }) value: number;
}

@ObjectType()
export class SurrogateSlice {
  @Field(() => String) param: string;
  @Field(() => GraphQLJSON, { description: 'The other parameters, held at the best trial' }) fixed: unknown;
  @Field(() => [SurrogatePoint]) points: SurrogatePoint[];
  @Field(() => [SourcePoint], {
    description: "Warm-started studies: the source studies' completed trials that share this parameter",
  })
  sourcePoints: SourcePoint[];
}

@ObjectType({
  description:
    'The trial to keep by the model: the COMPLETE trial with the best posterior mean of the GP fitted to the study. ' +
    'With a noisy objective the best observed value is biased towards lucky draws; this one is not.',
})
export class RecommendedTrial {
  @Field(() => Trial) trial: Trial;
  @Field(() => Float, { nullable: true, description: 'Posterior mean of the objective at the trial' })
  mean: number | null;
  @Field(() => Float, { nullable: true, description: 'Posterior standard deviation of the objective there' })
  std: number | null;
  @Field(() => Float, {
    nullable: true,
    description: "The fitted observation noise's standard deviation there, in objective units",
  })
  noiseStd: number | null;
  @Field(() => String, {
    description:
      '"model" (lowest posterior mean), or "observed": the best value, when there is no model yet or the model cannot rank the trials it has seen (leave-one-out)',
  })
  source: string;
}

export { Direction, ReferencePointSource, Role, StudyState, TrialEventKind, TrialState };
