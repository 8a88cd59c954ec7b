import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
/** The contract every consumer uses. */
export const contractPath = path.join(repoRoot, 'openapi/v1.json');
/** The last released v1 document: what the breaking-change check protects. */
export const releasedContractPath = path.join(repoRoot, 'openapi/v1.released.json');
/**
 * The types generated from the contract, one file each for the web and for the integrators'
 * client package (`client/`): the same text in both, so neither can fall behind.
 */
export const clientTypesPaths = [
  path.join(repoRoot, 'web/src/lib/api/schema.d.ts'),
  path.join(repoRoot, 'client/src/schema.ts'),
];
