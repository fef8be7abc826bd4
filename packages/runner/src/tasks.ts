// `@posterior/runner/tasks`: the built-in TensorFlow.js tasks. A separate entry so that importing the
// worker loop (every `posterior` command does) does not load TensorFlow.js (seconds of start-up).

export * from './tasks/transfer-learning/demo-study.js';
export * from './tasks/transfer-learning/index.js';
export * from './tfjs/index.js';
