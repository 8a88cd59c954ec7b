// Regenerates the API types of the web and of the client package from openapi/v1.json.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateClientTypes } from './lib/client-types.ts';
import { clientTypesPaths, contractPath, repoRoot } from './lib/paths.ts';

const types = await generateClientTypes(readFileSync(contractPath, 'utf8'));
for (const file of clientTypesPaths) {
  writeFileSync(file, types);
  console.log(`wrote ${path.relative(repoRoot, file)}`);
}
