// Regenerates the web's API types from openapi/v1.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { generateClientTypes } from './lib/client-types.ts';
import { clientTypesPath, contractPath } from './lib/paths.ts';

writeFileSync(clientTypesPath, await generateClientTypes(readFileSync(contractPath, 'utf8')));
console.log(`wrote ${clientTypesPath}`);
