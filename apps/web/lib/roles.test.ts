import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { can } from './roles.ts';

describe('can', () => {
  it('orders roles as the API does and denies an unknown role', () => {
    assert.equal(can('VIEWER', 'MEMBER'), false);
    assert.equal(can('MEMBER', 'MEMBER'), true);
    assert.equal(can('MEMBER', 'ADMIN'), false);
    assert.equal(can('ADMIN', 'ADMIN'), true);
    assert.equal(can('OWNER', 'ADMIN'), true);
    assert.equal(can(null, 'VIEWER'), false);
    assert.equal(can(undefined, 'VIEWER'), false);
  });
});
