// Lists the changes in openapi/v1.json that would break clients of the released v1 contract.
import { readFileSync } from 'node:fs';
import { findBreakingChanges } from './lib/openapi-breaking.ts';
import { contractPath, releasedContractPath } from './lib/paths.ts';

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const changes = findBreakingChanges(read(releasedContractPath), read(contractPath));
for (const change of changes) console.log(`breaking (${change.rule}): ${change.message}`);
console.log(changes.length ? `${changes.length} breaking changes` : 'no breaking changes');
process.exitCode = changes.length ? 1 : 0;
