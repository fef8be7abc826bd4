import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTagInput, tagInputOf } from './annotations.ts';

describe('tag input', () => {
  it('splits on commas, trims, drops empty and repeated tags', () => {
    assert.deepEqual(parseTagInput(' baseline, gpu a100,,baseline , '), {
      tags: ['baseline', 'gpu a100'],
      error: null,
    });
    assert.deepEqual(parseTagInput(''), { tags: [], error: null });
    assert.equal(tagInputOf(['a', 'b c']), 'a, b c');
    assert.deepEqual(parseTagInput(tagInputOf(['a', 'b c'])).tags, ['a', 'b c']);
  });

  it('refuses what the API would: a tag over 64 characters, more than 20 tags', () => {
    assert.match(parseTagInput(`ok, ${'x'.repeat(65)}`).error ?? '', /64 characters/);
    assert.equal(parseTagInput('x'.repeat(64)).error, null);
    const many = Array.from({ length: 21 }, (_, i) => `t${i}`);
    assert.match(parseTagInput(many.join(',')).error ?? '', /At most 20 tags/);
    assert.equal(parseTagInput(many.slice(0, 20).join(',')).error, null);
  });
});
