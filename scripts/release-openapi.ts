// Marks the current openapi/v1.json as released: from now on the suite refuses to break it.
import { copyFileSync } from 'node:fs';
import { contractPath, releasedContractPath } from './lib/paths.ts';

copyFileSync(contractPath, releasedContractPath);
console.log(`${releasedContractPath} now holds the released v1 contract`);
