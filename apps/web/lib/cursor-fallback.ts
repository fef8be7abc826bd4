/**
 * An error as the SDK throws it: PosteriorError's `code` and, for BAD_USER_INPUT, `field` (the
 * argument the API rejected, its `extensions.field`).
 */
interface ArgumentError {
  code?: unknown;
  field?: unknown;
}

/** Whether the API rejected argument `field` of the request as bad user input. */
export function isRejectedArgument(error: unknown, field: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as ArgumentError;
  return e.code === 'BAD_USER_INPUT' && e.field === field;
}

export interface PageOrFirst<T> {
  page: T;
  /** The cursor the API refused (the first page is shown instead), or null. */
  rejectedCursor: string | null;
}

/**
 * Loads the page after `after`, or the first page when the API refuses that cursor. A bookmarked
 * link keeps the cursor of its day: once the cursor format changes the API answers BAD_USER_INPUT on
 * `after`, and a list that was worth bookmarking should still open. Other errors are the caller's.
 */
export async function loadPageOrFirst<T>(
  after: string | null,
  load: (after: string | null) => Promise<T>,
): Promise<PageOrFirst<T>> {
  if (after === null) return { page: await load(null), rejectedCursor: null };
  try {
    return { page: await load(after), rejectedCursor: null };
  } catch (e) {
    if (!isRejectedArgument(e, 'after')) throw e;
    return { page: await load(null), rejectedCursor: after };
  }
}
