// Writes apps/api/schema.graphql from the built schema: `npm run schema -w @posterior/api`.
// The file is committed so client engineers code against it and diffs show API changes.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSchemaText, schemaFilePath } from '../server/schema-file.js';

const text = await printSchemaText();
writeFileSync(schemaFilePath(), text);
process.stdout.write(`wrote ${fileURLToPath(new URL(`file://${schemaFilePath()}`))}\n`);
