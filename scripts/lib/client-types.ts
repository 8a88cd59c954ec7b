import openapiTS, { astToString } from 'openapi-typescript';

const BANNER = `/**
 * Generated from openapi/v1.json by \`npm run gen\` (run by \`npm run openapi\`). Do not edit:
 * the test suite fails when this file differs from what the contract generates.
 */

`;

/** The TypeScript types the openapi-fetch clients (the web's, `@chartroom/client`) are typed with. */
export async function generateClientTypes(contractJson: string): Promise<string> {
  // A default makes a field optional to send, not always present: keep such fields optional.
  const ast = await openapiTS(JSON.parse(contractJson), {
    alphabetize: false,
    defaultNonNullable: false,
  });
  return BANNER + astToString(ast);
}
