export * from './trial-handle.js';
