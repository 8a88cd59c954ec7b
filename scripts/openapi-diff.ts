// Prints, as Markdown, how one contract differs from another: operations added, changed and
// removed, and the changes that would break a client of the first. CI posts it on pull requests.
//
//   node scripts/openapi-diff.ts <base.json> [head.json, default openapi/v1.json]
//
// A base file that is missing or empty counts as a contract with no operations.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { diffContracts, diffMarkdown } from './lib/openapi-diff.ts';
import { contractPath, repoRoot } from './lib/paths.ts';

function readContract(file: string): Record<string, unknown> {
  const text = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  return text ? JSON.parse(text) : { paths: {} };
}

const [base, head = contractPath] = process.argv.slice(2);
if (!base) {
  console.error('usage: node scripts/openapi-diff.ts <base.json> [head.json]');
  process.exit(2);
}
const diff = diffContracts(readContract(base), readContract(head));
process.stdout.write(diffMarkdown(diff, path.relative(repoRoot, path.resolve(head))));
