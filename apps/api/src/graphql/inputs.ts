import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { Direction } from './enums.js';
import { type AttributeValue, AttributeValueScalar } from './types.js';

/**
 * Inputs are permissive at the GraphQL layer (JSON, plain numbers): the services validate every
 * field and answer BAD_USER_INPUT with a message naming it, which GraphQL coercion cannot do.
 */
@InputType()
export class ObjectiveInput {
  @Field(() => String) name: string;
  @Field(() => Direction) direction: Direction;
}

@InputType()
export class ConstraintInput {
  @Field(() => String) name: string;
}

@InputType()
export class CreateStudyInput {
  @Field(() => ID) teamId: string;
  @Field(() => String) name: string;
  @Field(() => Direction, {
    nullable: true,
    description: "Required without objectives; with them, omitted or the first one's",
  })
  direction?: Direction | null;
  @Field(() => String, {
    nullable: true,
    description: "Required without objectives; with them, omitted or the first one's",
  })
  objective?: string | null;
  @Field(() => [ObjectiveInput], {
    nullable: true,
    description: "Every objective in order (at most 4); the first is the study's objective/direction",
  })
  objectives?: ObjectiveInput[] | null;
  @Field(() => [ConstraintInput], {
    nullable: true,
    description: 'Outcome constraints (at most 8): a trial is feasible when every constraint value is <= 0',
  })
  constraints?: ConstraintInput[] | null;
  @Field(() => [Float], {
    nullable: true,
    description:
      'Hypervolume reference point, one finite value per objective in their units (>= 2 objectives); default inferred',
  })
  referencePoint?: number[] | null;
  @Field(() => GraphQLJSON, { description: 'docs/DESIGN.md section 3 search space' }) searchSpace: unknown;
  @Field(() => GraphQLJSON, { nullable: true, description: 'Default {"type": "gp"}' }) sampler?: unknown;
  @Field(() => GraphQLJSON, { nullable: true, description: 'Default {"type": "none"}' }) pruner?: unknown;
  @Field(() => Int) maxTrials: number;
  @Field(() => Int, { nullable: true, description: 'Default 1' }) parallelism?: number | null;
  @Field(() => Int, { nullable: true, description: 'Default 60' }) heartbeatTimeoutS?: number | null;
  @Field(() => Int, { nullable: true, description: 'Default 0' }) retryFailed?: number | null;
  @Field(() => [ID], {
    nullable: true,
    description: 'Earlier studies of the same team to warm-start from (at most 5); default none',
  })
  warmStartFrom?: string[] | null;
  @Field(() => Int, {
    nullable: true,
    description:
      "Queue the sources' best configurations (up to 20, mapped onto this space) as the first trials; default 0",
  })
  warmStartEnqueue?: number | null;
  @Field(() => String, {
    nullable: true,
    description: 'Free text shown on the study page (at most 10,000 chars)',
  })
  description?: string | null;
}

@InputType()
export class MetricPointInput {
  @Field(() => String) name: string;
  @Field(() => Int) step: number;
  @Field(() => Float) value: number;
}

@InputType({ description: 'One attribute to set on a trial; a null value removes the key' })
export class TrialAttributeInput {
  @Field(() => String) key: string;
  @Field(() => AttributeValueScalar, { nullable: true }) value?: AttributeValue | null;
}

@InputType()
export class PackageVersionInput {
  @Field(() => String) name: string;
  @Field(() => String) version: string;
}

@InputType({ description: 'What a trial ran on (each text at most 200 chars, at most 20 packages)' })
export class TrialEnvironmentInput {
  @Field(() => String, { nullable: true }) backend?: string | null;
  @Field(() => String, { nullable: true }) host?: string | null;
  @Field(() => String, { nullable: true }) platform?: string | null;
  @Field(() => String, { nullable: true }) nodeVersion?: string | null;
  @Field(() => String, { nullable: true }) workerId?: string | null;
  @Field(() => [PackageVersionInput], { nullable: true }) packages?: PackageVersionInput[] | null;
}
