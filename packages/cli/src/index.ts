export { UsageError } from './errors.js';
