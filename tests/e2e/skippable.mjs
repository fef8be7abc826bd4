// node:test's suite functions, or, when the suite cannot run here, the same suite with every test
// reported as skipped with the reason. A skipped `describe` would hide how many tests did not run
// (Node counts it in neither `# tests` nor `# skipped`); hooks do nothing, since nothing can run.
import * as nodeTest from 'node:test';

const noop = () => {};

/** `{ describe, it, before, after, beforeEach, afterEach }` that skip every test when `reason` is set. */
export function testsUnless(reason) {
  const { describe, it, before, after, beforeEach, afterEach } = nodeTest;
  if (!reason) return { describe, it, before, after, beforeEach, afterEach };
  const skipped = (name, options) =>
    it(name, { ...(typeof options === 'object' && options !== null ? options : {}), skip: reason }, noop);
  return {
    describe: (name, options, fn) =>
      typeof options === 'function'
        ? describe(name, options)
        : describe(name, { ...options, skip: false }, fn),
    it: skipped,
    before: noop,
    after: noop,
    beforeEach: noop,
    afterEach: noop,
  };
}
