import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashFloats } from './content-hash.js';

describe('hashFloats', () => {
  it('keys a Float64Array, its subarray and a plain array of the same numbers alike', () => {
    const big = Float64Array.from([9, 1.5, -2, 3e-7, 9]);
    const view = big.subarray(1, 4);
    assert.equal(hashFloats(view, 7), hashFloats([1.5, -2, 3e-7], 7));
    assert.equal(hashFloats(view, 7), hashFloats(Float64Array.from(view), 7));
  });

  it('tells apart contents, seeds and -0 from 0', () => {
    const h = hashFloats([1, 2, 3], 1);
    assert.notEqual(h, hashFloats([1, 2, 3.0000000001], 1));
    assert.notEqual(h, hashFloats([1, 2, 3], 2));
    assert.notEqual(hashFloats([0], 1), hashFloats([-0], 1));
    assert.equal(hashFloats([], 5), 5);
  });
});
