// Regenerates the API types (client/src/schema.ts, which the web uses too) from openapi/v1.json.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateClientTypes } from './lib/client-types.ts';
import { clientTypesPath, contractPath, repoRoot } from './lib/paths.ts';

const types = await generateClientTypes(readFileSync(contractPath, 'utf8'));
writeFileSync(clientTypesPath, types);
console.log(`wrote ${path.relative(repoRoot, clientTypesPath)}`);
