// Entry point for the TypeORM CLI against compiled output, e.g.
//   DATABASE_URL=postgres://... npx typeorm migration:generate -d dist/db/cli-data-source.js src/db/migrations/Name
import { getConfig } from '../config/index.js';
import { createDataSource } from './data-source.js';

const url = getConfig().DATABASE_URL;
if (url === undefined) {
  throw new Error('DATABASE_URL must be set to use the TypeORM CLI');
}

export default createDataSource(url);
