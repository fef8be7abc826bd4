import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attributeInputOf, parseAttributeInput, parseTagInput, tagInputOf } from './annotations.ts';

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

describe('attribute input', () => {
  it('types numbers and booleans, keeps quoted values as strings, and round-trips', () => {
    const parsed = parseAttributeInput(
      'batch = 64\n\nname=resnet 50\nshuffle = true\nid = "007"\nbatch = 128',
    );
    assert.deepEqual(parsed, {
      attributes: [
        { key: 'batch', value: 128 },
        { key: 'name', value: 'resnet 50' },
        { key: 'shuffle', value: true },
        { key: 'id', value: '007' },
      ],
      error: null,
    });
    assert.ok(parsed.attributes);
    assert.deepEqual(parseAttributeInput(attributeInputOf(parsed.attributes)).attributes, parsed.attributes);
    assert.equal(attributeInputOf([{ key: 'v', value: 'true' }]), 'v = "true"');
  });

  it('names the line that is not key = value, and checks the bounds', () => {
    assert.equal(parseAttributeInput('a = 1\noops').error, 'Line 2: expected key = value.');
    assert.match(parseAttributeInput(`${'k'.repeat(65)} = 1`).error ?? '', /at most 64/);
    const many = Array.from({ length: 51 }, (_, i) => `k${i} = ${i}`).join('\n');
    assert.match(parseAttributeInput(many).error ?? '', /At most 50/);
  });
});
