import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GraphQLError } from 'graphql';
import { isDatabaseUnavailable } from '../common/database-unavailable.js';
import { createLogger } from '../common/logger.js';
import { formatError } from './errors.js';

const logger = createLogger('silent');
const format = (original: Error) =>
  formatError(
    logger,
    { message: original.message, path: ['heartbeat'] },
    new GraphQLError(original.message, { originalError: original }),
  );

describe('errors clients see', () => {
  test('a database that cannot be reached is DATABASE_UNAVAILABLE, not a bare internal error', () => {
    for (const original of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
      // TypeORM's QueryFailedError keeps pg's error as driverError.
      Object.assign(new Error('Query failed'), {
        driverError: { code: '08006', message: 'connection failure' },
      }),
    ]) {
      assert.deepEqual(
        format(original),
        {
          message: 'database unavailable',
          path: ['heartbeat'],
          extensions: { code: 'DATABASE_UNAVAILABLE' },
        },
        original.message,
      );
    }
  });

  test('a query that fails on its merits stays a masked internal error', () => {
    const broken = Object.assign(new Error('invalid input syntax for type json'), { code: '22P02' });
    assert.equal(isDatabaseUnavailable(broken), false);
    assert.deepEqual(format(broken).extensions, { code: 'INTERNAL_SERVER_ERROR' });
    assert.equal(format(broken).message, 'internal server error');
  });
});
