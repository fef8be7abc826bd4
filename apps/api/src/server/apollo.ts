import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from '../common/logger.js';
import type { Context } from './context.js';
import { formatError } from './errors.js';
import { costError, depthLimit, MAX_COST, operationCost, selectionLimit } from './limits.js';

/** Apollo for queries and mutations over HTTP, with the depth, selection and cost limits. */
export async function startApollo(
  schema: GraphQLSchema,
  logger: Logger,
  introspection: boolean,
  clock: () => number,
) {
  const apollo = new ApolloServer<Context>({
    schema,
    introspection,
    // No "Did you mean ...?" naming fields a client did not ask for, when introspection is off.
    hideSchemaDetailsFromClientErrors: !introspection,
    includeStacktraceInErrorResponses: false,
    // The host process owns shutdown (it calls close()); Apollo's own handlers would re-raise the
    // signal and kill the process before the database and workers are stopped.
    stopOnTerminationSignals: false,
    validationRules: [depthLimit(), selectionLimit()],
    formatError: (formatted, error) => formatError(logger, formatted, error),
    plugins: [
      // The default cache-control plugin wraps every resolver to compute cache hints that no
      // response here uses (nothing caches POSTed GraphQL).
      ApolloServerPluginCacheControlDisabled(),
      costAndLogPlugin(schema, logger, clock),
    ],
  });
  await apollo.start();
  return apollo;
}

function costAndLogPlugin(
  schema: GraphQLSchema,
  logger: Logger,
  clock: () => number,
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const started = clock();
      return {
        async didResolveOperation({ request, document, operation }) {
          // Cost guards reads, where pages multiply; a mutation's work is its own input (bounded by
          // body size and per-call caps), and costing it would coerce its variables twice
          // (thousands of metric points per report).
          if (operation?.operation === 'mutation') return;
          const cost = operationCost(schema, document, request.variables, request.operationName);
          if (cost > MAX_COST) throw costError(cost);
        },
        // One structured line per operation (debug: a worker loop makes thousands a second).
        async willSendResponse({ operationName, response, contextValue }) {
          if (!logger.isLevelEnabled('debug')) return;
          const body = response.body;
          const errors = body.kind === 'single' ? (body.singleResult.errors?.length ?? 0) : 0;
          logger.debug(
            {
              operation: operationName ?? null,
              ms: Math.round((clock() - started) * 10) / 10,
              errors,
              caller: contextValue.caller?.kind ?? 'anonymous',
              reqId: contextValue.requestId,
            },
            'graphql',
          );
        },
      };
    },
  };
}
