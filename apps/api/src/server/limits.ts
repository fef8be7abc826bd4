import {
  type ASTNode,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import { type ComplexityEstimator, getComplexity } from 'graphql-query-complexity';

export const MAX_DEPTH = 12;
/**
 * 50,000 lets a dashboard load 500 trials with their fields, or a study page's trial table and
 * curves, and stops a query asking for metrics of every trial of every study or for many aliased
 * copies of the expensive fields.
 */
export const MAX_COST = 50_000;
/** Largest GraphQL response body; a bigger one is replaced by an error (a backstop to the cost). */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** Rejects operations nested deeper than `max` fields (fragments expanded, introspection included). */
export function depthLimit(max: number = MAX_DEPTH): (context: ValidationContext) => ASTVisitor {
  return (context) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    const depthOf = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
      if (!set) return 0;
      let deepest = 0;
      for (const sel of set.selections) {
        let d = 0;
        if (sel.kind === Kind.FIELD) d = sel.selectionSet ? 1 + depthOf(sel.selectionSet, seen) : 1;
        else if (sel.kind === Kind.INLINE_FRAGMENT) d = depthOf(sel.selectionSet, seen);
        else {
          const name = sel.name.value;
          const frag = fragments.get(name);
          if (frag && !seen.has(name)) d = depthOf(frag.selectionSet, new Set([...seen, name]));
        }
        deepest = Math.max(deepest, d);
        if (deepest > max) return deepest;
      }
      return deepest;
    };
    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet, new Set());
        if (depth > max) {
          context.reportError(
            new GraphQLError(`query depth ${depth} exceeds the limit of ${max}`, {
              nodes: [node as ASTNode],
              extensions: { code: 'BAD_USER_INPUT' },
            }),
          );
        }
      },
    };
  };
}

/**
 * What a field can return, for the cost model (issue 12, item 8): list fields multiply their
 * children by the rows they can return (`first`/`points`/`limit` when given, else the default page
 * or a typical size), capped at the most they ever serve; fields that return one large computed
 * value (JSON curves, the trial table, the text report, GP fits) carry a flat price of the rows
 * they read. Keyed `Type.field` (or `field` for every type).
 */
const DEFAULT_ROWS: Record<string, number> = {
  trials: 100,
  studies: 20,
  'Study.history': 500,
  'Trial.metrics': 100,
  'Trial.artifacts': 20,
  'Team.members': 50,
  'Team.apiTokens': 50,
  'Query.teams': 20,
  'Study.importance': 20,
  'Subscription.metricPoints': 100,
};
/** Largest page each paginated field serves; a larger `first` is refused by the field itself. */
const MAX_ROWS: Record<string, number> = { trials: 500, studies: 100, surrogate: 200 };
/** Flat prices: rows read to build one value (see the resolvers' own caps). */
const FLAT: Record<string, (args: Record<string, unknown>) => number> = {
  // Every metric point of the study (capped at MAX_CURVE_POINTS): two per operation at most.
  'Study.curves': () => 20_000,
  // One row per trial, up to `limit` (default and most MAX_TRIAL_TABLE).
  'Study.trialTable': (args) => (typeof args.limit === 'number' ? Math.max(1, args.limit) : 20_000),
  // Reads every trial and formats them.
  'Study.report': () => 5_000,
  // A GP fit in the worker pool.
  'Study.importance': () => 2_000,
  'Study.surrogate': () => 2_000,
};

const estimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  const key = `${type.name}.${field.name}`;
  const flat = FLAT[key]?.(args) ?? 0;
  const given =
    typeof args.first === 'number' ? args.first : typeof args.points === 'number' ? args.points : null;
  const multiplier = Math.min(
    given ?? DEFAULT_ROWS[key] ?? DEFAULT_ROWS[field.name] ?? 1,
    MAX_ROWS[field.name] ?? Number.POSITIVE_INFINITY,
  );
  return 1 + flat + childComplexity * Math.max(1, multiplier);
};

/**
 * Caps on the shape of an operation, whatever it costs: aliases (each a separate resolution:
 * `me` x 10,000 was 10,000 lookups) and field selections in all, counted with fragments expanded
 * (a fragment spread many times counts every time, without expanding it in memory).
 */
export const MAX_ALIASES = 100;
export const MAX_SELECTIONS = 2_000;

export function selectionLimit(
  maxAliases: number = MAX_ALIASES,
  maxSelections: number = MAX_SELECTIONS,
): (context: ValidationContext) => ASTVisitor {
  return (context) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    const memo = new Map<string, { fields: number; aliases: number }>();
    const count = (
      set: SelectionSetNode | undefined,
      seen: ReadonlySet<string>,
    ): { fields: number; aliases: number } => {
      let fields = 0;
      let aliases = 0;
      for (const sel of set?.selections ?? []) {
        let part = { fields: 0, aliases: 0 };
        if (sel.kind === Kind.FIELD) {
          const inner = count(sel.selectionSet, seen);
          part = { fields: 1 + inner.fields, aliases: (sel.alias ? 1 : 0) + inner.aliases };
        } else if (sel.kind === Kind.INLINE_FRAGMENT) part = count(sel.selectionSet, seen);
        else {
          const name = sel.name.value;
          const frag = fragments.get(name);
          // A cycle is reported by graphql's own NoFragmentCycles rule.
          if (frag && !seen.has(name)) {
            const known = memo.get(name) ?? count(frag.selectionSet, new Set([...seen, name]));
            memo.set(name, known);
            part = known;
          }
        }
        fields += part.fields;
        aliases += part.aliases;
        // Stop early on bombs: the totals only grow.
        if (fields > maxSelections || aliases > maxAliases) break;
      }
      return { fields, aliases };
    };
    return {
      OperationDefinition(node) {
        const { fields, aliases } = count(node.selectionSet, new Set());
        const problem =
          aliases > maxAliases
            ? `${aliases} aliased fields exceed the limit of ${maxAliases}`
            : fields > maxSelections
              ? `${fields} field selections exceed the limit of ${maxSelections}`
              : null;
        if (problem)
          context.reportError(
            new GraphQLError(`${problem}; split the request`, {
              nodes: [node as ASTNode],
              extensions: { code: 'BAD_USER_INPUT' },
            }),
          );
      },
    };
  };
}

/**
 * The operation's cost, or 0 when it cannot be computed (variables that do not coerce): execution
 * then reports that problem itself, as BAD_USER_INPUT naming the variable.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
): number {
  try {
    return computeCost(schema, document, variables, operationName);
  } catch {
    return 0;
  }
}

function computeCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
): number {
  return getComplexity({
    schema,
    query: document,
    variables: variables ?? {},
    operationName: operationName ?? undefined,
    estimators: [estimator],
  });
}

/** The body sent instead of a response over MAX_RESPONSE_BYTES. */
export function responseTooLarge(max: number = MAX_RESPONSE_BYTES): string {
  return JSON.stringify({
    errors: [
      {
        message: `response larger than ${max} bytes; ask for less (smaller pages, fewer fields)`,
        extensions: { code: 'BAD_USER_INPUT', maxBytes: max },
      },
    ],
    data: null,
  });
}

export function costError(cost: number, max: number = MAX_COST): GraphQLError {
  return new GraphQLError(`query cost ${cost} exceeds the limit of ${max}; ask for smaller pages`, {
    extensions: { code: 'BAD_USER_INPUT', cost, maxCost: max },
  });
}
