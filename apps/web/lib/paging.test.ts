import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PageFetcher, readBothEnds } from './paging.ts';

interface Item {
  id: string;
  number: number;
}

/** An in-memory connection of `numbers` with pages of `size`, counting requests. */
function fake(numbers: number[], size: number) {
  const items: Item[] = numbers.map((n) => ({ id: `t${n}`, number: n }));
  let requests = 0;
  const fetchPage: PageFetcher<Item> = async (sort, after) => {
    requests++;
    const ordered =
      sort === 'NUMBER_ASC'
        ? [...items].sort((a, b) => a.number - b.number)
        : [...items].sort((a, b) => b.number - a.number);
    const start = after === null ? 0 : Number(after);
    const nodes = ordered.slice(start, start + size);
    const end = start + nodes.length;
    return { nodes, endCursor: nodes.length ? String(end) : null, hasNextPage: end < ordered.length };
  };
  return { fetchPage, requests: () => requests };
}

async function readAll(numbers: number[], size: number) {
  const f = fake(numbers, size);
  const got: Item[] = [];
  await readBothEnds(f.fetchPage, (page) => got.push(...page));
  return { got, requests: f.requests() };
}

describe('readBothEnds', () => {
  it('reads 10,000 trials exactly once in 10 rounds of two pages', async () => {
    const numbers = Array.from({ length: 10_000 }, (_, i) => i);
    const { got, requests } = await readAll(numbers, 500);
    assert.equal(got.length, 10_000);
    assert.equal(new Set(got.map((t) => t.id)).size, 10_000);
    assert.equal(requests, 20);
  });
  it('handles odd sizes, gaps in the numbering and tiny studies', async () => {
    for (const numbers of [
      Array.from({ length: 1234 }, (_, i) => i),
      Array.from({ length: 777 }, (_, i) => i * 3 + (i % 2)),
      [5],
      [],
    ]) {
      const { got } = await readAll(numbers, 100);
      assert.deepEqual(
        got.map((t) => t.number).sort((a, b) => a - b),
        [...numbers].sort((a, b) => a - b),
      );
    }
  });
  it('stops when the object disappears or the caller aborts', async () => {
    let calls = 0;
    await readBothEnds<Item>(
      async () => {
        calls++;
        return null;
      },
      () => assert.fail('no page expected'),
    );
    assert.equal(calls, 2);
    const f = fake(
      Array.from({ length: 5000 }, (_, i) => i),
      100,
    );
    let pages = 0;
    await readBothEnds(
      f.fetchPage,
      () => pages++,
      () => pages >= 2,
    );
    assert.equal(pages, 2);
  });
});
