// Writes openapi/v1.json from the route definitions. No server, no database.
import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument, serializeOpenApiDocument } from '../api/src/openapi.ts';
import { contractPath } from './lib/paths.ts';

writeFileSync(contractPath, serializeOpenApiDocument(buildOpenApiDocument()));
console.log(`wrote ${contractPath}`);
