/** One page of a cursor connection, as the study page reads trials. */
export interface NumberedPage<T extends { id: string; number: number }> {
  nodes: T[];
  endCursor: string | null;
  hasNextPage: boolean;
}

export type PageFetcher<T extends { id: string; number: number }> = (
  sort: 'NUMBER_ASC' | 'NUMBER_DESC',
  after: string | null,
) => Promise<NumberedPage<T> | null>;

/**
 * Reads a numbered connection from both ends at once (ascending and descending), one page from each end
 * per round, until the ends meet: half the sequential round trips of one cursor walk. Each round's new
 * items go to `onPage` once (items both ends returned are passed once). Stops early on `null` (the
 * parent object disappeared) or when `aborted()` says so.
 */
export async function readBothEnds<T extends { id: string; number: number }>(
  fetchPage: PageFetcher<T>,
  onPage: (items: T[]) => void,
  aborted: () => boolean = () => false,
): Promise<void> {
  let low = Number.NEGATIVE_INFINITY; // highest number read ascending
  let high = Number.POSITIVE_INFINITY; // lowest number read descending
  let cursors: [string | null, string | null] = [null, null];
  const seen = new Set<string>();
  for (;;) {
    const [a, d] = await Promise.all([
      fetchPage('NUMBER_ASC', cursors[0]),
      fetchPage('NUMBER_DESC', cursors[1]),
    ]);
    if (!a || !d) return;
    for (const t of a.nodes) low = Math.max(low, t.number);
    for (const t of d.nodes) high = Math.min(high, t.number);
    onPage([...a.nodes, ...d.nodes].filter((t) => !seen.has(t.id) && seen.add(t.id)));
    // numbers are integers: nothing lies strictly between low and high once low + 1 >= high
    if (low + 1 >= high || !a.hasNextPage || !d.hasNextPage || aborted()) return;
    cursors = [a.endCursor, d.endCursor];
  }
}
