import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

// scripts/codegen.mjs sits outside src (it is not compiled): load it by URL from dist/.
const script = new URL('../scripts/codegen.mjs', import.meta.url);

describe('generated GraphQL types', () => {
  it('match apps/api/schema.graphql and src/operations (else: npm run codegen -w @posterior/sdk)', async () => {
    const { generate, OUTPUT } = (await import(script.href)) as {
      generate: () => Promise<string>;
      OUTPUT: string;
    };
    // A mismatch names no lines: the diff is whatever `npm run codegen` then changes.
    assert.ok(readFileSync(OUTPUT, 'utf8') === (await generate()), 'src/generated/graphql.ts is out of date');
  });
});
