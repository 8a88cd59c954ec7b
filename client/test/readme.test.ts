import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support.ts';

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

/** Code blocks the README marks with `<!-- path/of/the/file -->`: each must be that file, verbatim. */
const copies = [...readme.matchAll(/^<!-- (\S+) -->\n```\w*\n([\s\S]*?)^```$/gm)].map(
  ([, file, code]) => ({ file: file as string, code: code as string }),
);

describe("the README's integration guide", () => {
  it('shows client/examples/integrate.ts, the example the tests run', () => {
    expect(copies.map((copy) => copy.file)).toContain('client/examples/integrate.ts');
  });

  it.each(copies)('shows $file as it is', ({ file, code }) => {
    expect(code, `README.md's copy of ${file}: paste the file's content again`).toBe(
      readFileSync(path.join(repoRoot, file), 'utf8'),
    );
  });
});
