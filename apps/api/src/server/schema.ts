import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AuthResolver } from '../auth/auth.resolver.js';
import { SubscriptionResolver } from '../pubsub/subscription.resolver.js';
import { StudyCurvesResolver } from '../study/curves.resolver.js';
import { StudyResolver } from '../study/study.resolver.js';
import { TeamResolver } from '../team/team.resolver.js';
import { TrialResolver } from '../trial/trial.resolver.js';

let schema: Promise<GraphQLSchema> | null = null;

/**
 * The executable schema. Resolvers take everything from the per-operation context, so one
 * schema serves every server in the process (tests start two on one database).
 */
export function getSchema(): Promise<GraphQLSchema> {
  schema ??= buildSchema({
    resolvers: [
      AuthResolver,
      TeamResolver,
      StudyResolver,
      StudyCurvesResolver,
      TrialResolver,
      SubscriptionResolver,
    ],
    // Services validate input and name the offending field; class-validator is not used.
    validate: false,
    // Every subscription brings its own `subscribe` (per-server pubsub from the context), but the
    // builder insists on a global one; this one only says so if something ever reaches it.
    pubSub: {
      publish() {
        throw new Error('use the per-server pubsub from the context');
      },
      subscribe() {
        throw new Error('use the per-server pubsub from the context');
      },
    },
  });
  return schema;
}
