import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Harness, newStudy, newTeam, newUser, startHarness } from '../test-support/harness.js';

const STUDIES =
  'query($t: ID!, $a: String) { studies(teamId: $t, first: 2, after: $a) { totalCount nodes { id } edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }';

interface Page {
  totalCount: number;
  nodes: Array<{ id: string }>;
  edges: Array<{ cursor: string; node: { id: string } }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

describe('studies pagination', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('walks every study once, two at a time, with cursors that match the edges', async () => {
    const { token } = await newUser(h);
    const teamId = await newTeam(h, token);
    const created = new Set<string>();
    for (let i = 0; i < 5; i++) created.add(await newStudy(h, token, teamId));

    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const r: { data?: { studies: Page } | null; errors?: unknown } = await h.gql<{ studies: Page }>(
        STUDIES,
        { t: teamId, a: cursor },
        token,
      );
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      const page = r.data?.studies;
      assert.ok(page);
      assert.equal(page.totalCount, 5);
      assert.deepEqual(
        page.nodes.map((n) => n.id),
        page.edges.map((e) => e.node.id),
      );
      assert.equal(page.pageInfo.endCursor, page.edges.at(-1)?.cursor ?? null);
      seen.push(...page.nodes.map((n) => n.id));
      if (!page.pageInfo.hasNextPage) break;
      cursor = page.pageInfo.endCursor;
    }
    assert.equal(seen.length, 5);
    assert.deepEqual(new Set(seen), created);
  });
});
