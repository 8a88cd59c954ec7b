import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
/** The contract every consumer uses. */
export const contractPath = path.join(repoRoot, 'openapi/v1.json');
/** The last released v1 document: what the breaking-change check protects. */
export const releasedContractPath = path.join(repoRoot, 'openapi/v1.released.json');
/** The types generated from the contract, in the client package; the web imports them from there. */
export const clientTypesPath = path.join(repoRoot, 'client/src/schema.ts');
