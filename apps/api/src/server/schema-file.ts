import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { getSchema } from './schema.js';

/** apps/api/schema.graphql, from either src/server or dist/server. */
export function schemaFilePath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schema.graphql');
}

export async function printSchemaText(): Promise<string> {
  const schema = await getSchema();
  return `# Generated from the type-graphql resolvers by \`npm run schema -w @posterior/api\`. Do not edit.\n\n${printSchema(lexicographicSortSchema(schema))}\n`;
}
