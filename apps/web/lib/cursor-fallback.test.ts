import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRejectedArgument, loadPageOrFirst } from './cursor-fallback.ts';

/** An error shaped as lib/api's gql throws it for a GraphQL error with extensions { code, field }. */
function apiError(code: string, field?: string): Error {
  return Object.assign(new Error(field ? `${field}: is not a cursor from this API` : code), {
    code,
    ...(field ? { field } : {}),
  });
}

/** A fake studies connection that refuses one cursor format, recording each request's cursor. */
function fakeApi(reject: (after: string) => Error | null) {
  const calls: Array<string | null> = [];
  const load = async (after: string | null) => {
    calls.push(after);
    if (after !== null) {
      const e = reject(after);
      if (e) throw e;
    }
    return { first: after === null, after };
  };
  return { calls, load };
}

describe('loadPageOrFirst', () => {
  it('loads the first page when the API rejects an old cursor, and reports the cursor', async () => {
    const api = fakeApi((after) => (after.startsWith('v1:') ? apiError('BAD_USER_INPUT', 'after') : null));
    const got = await loadPageOrFirst('v1:old-bookmark', api.load);
    assert.deepEqual(got, { page: { first: true, after: null }, rejectedCursor: 'v1:old-bookmark' });
    assert.deepEqual(api.calls, ['v1:old-bookmark', null]);
  });

  it('loads a valid cursor once, without a fallback', async () => {
    const api = fakeApi(() => null);
    const got = await loadPageOrFirst('v2:abc', api.load);
    assert.deepEqual(got, { page: { first: false, after: 'v2:abc' }, rejectedCursor: null });
    assert.deepEqual(api.calls, ['v2:abc']);
  });

  it('passes on other errors: bad input on another argument, or not bad input at all', async () => {
    for (const error of [
      apiError('BAD_USER_INPUT', 'states'),
      apiError('BAD_USER_INPUT'),
      apiError('FORBIDDEN'),
    ]) {
      const api = fakeApi(() => error);
      await assert.rejects(loadPageOrFirst('v2:abc', api.load), error);
      assert.deepEqual(api.calls, ['v2:abc'], 'no second request');
    }
  });

  it('does not retry the first page when it fails', async () => {
    const error = apiError('BAD_USER_INPUT', 'after');
    const calls: Array<string | null> = [];
    const failing = async (after: string | null) => {
      calls.push(after);
      throw error;
    };
    await assert.rejects(loadPageOrFirst(null, failing), error);
    assert.deepEqual(calls, [null]);
  });
});

describe('isRejectedArgument', () => {
  it('matches the code and the field only', () => {
    assert.equal(isRejectedArgument(apiError('BAD_USER_INPUT', 'after'), 'after'), true);
    assert.equal(isRejectedArgument(apiError('BAD_USER_INPUT', 'after'), 'first'), false);
    assert.equal(isRejectedArgument(apiError('NOT_FOUND', 'after'), 'after'), false);
    assert.equal(isRejectedArgument('after', 'after'), false);
    assert.equal(isRejectedArgument(null, 'after'), false);
  });
});
