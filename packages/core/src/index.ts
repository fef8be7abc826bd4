// The public surface of @posterior/core: each rule is exported from its own module.
export { type CsvValue, csvCell, csvText } from './csv.js';
