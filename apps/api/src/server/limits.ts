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
export const MAX_COST = 50_000;

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

/** Page-size defaults of the paginated fields, so a query without `first` is costed like the server serves it. */
const DEFAULT_PAGE: Record<string, number> = { trials: 100, studies: 20, history: 200, metrics: 20 };
/** Largest page each paginated field serves; a larger `first` is refused by the field itself. */
const MAX_PAGE: Record<string, number> = { trials: 500, studies: 100, surrogate: 200 };

/**
 * Cost = 1 per field, with list fields multiplying their children by the page they can return
 * (`first`, `points`, or the default page). Cheap fields nested in big pages add up; 50,000 lets
 * a dashboard load 500 trials with their fields, and stops a query asking for metrics of every
 * trial of every study.
 */
const estimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  const first =
    typeof args.first === 'number' ? args.first : typeof args.points === 'number' ? args.points : null;
  const multiplier = Math.min(
    first ?? DEFAULT_PAGE[field.name] ?? 1,
    MAX_PAGE[field.name] ?? Number.POSITIVE_INFINITY,
  );
  return 1 + childComplexity * Math.max(1, multiplier);
};

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

export function costError(cost: number, max: number = MAX_COST): GraphQLError {
  return new GraphQLError(`query cost ${cost} exceeds the limit of ${max}; ask for smaller pages`, {
    extensions: { code: 'BAD_USER_INPUT', cost, maxCost: max },
  });
}
