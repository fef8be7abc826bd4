// The public surface of @posterior/core: each rule is exported from its own module.
export { type Backoff, backoffDelay, type RetryOptions, retry, sleep } from './retry.js';
