// Every GitHub workflow passes action-validator (the schema GitHub itself accepts), so a typo in
// a workflow fails here rather than on GitHub after a push.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './lib/paths.ts';

const require = createRequire(import.meta.url);
const validator = path.join(
  path.dirname(require.resolve('@action-validator/cli/package.json')),
  'cli.mjs',
);
const workflowsDir = path.join(repoRoot, '.github/workflows');
const workflows = readdirSync(workflowsDir).filter((name) => /\.ya?ml$/.test(name));

/** Runs `action-validator <file>`: exit code 0 and no output means valid. */
function validate(file: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [validator, file], (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

describe('GitHub workflows', () => {
  it('include CI and the web deploy', () => {
    expect(workflows).toEqual(expect.arrayContaining(['ci.yml', 'deploy-web.yml']));
  });

  it.each(workflows)('%s passes action-validator', async (name) => {
    const { code, output } = await validate(path.join(workflowsDir, name));
    // Only its "globs are not validated" notice may be printed.
    const errors = output.split('\n').filter((line) => line.trim() && !line.startsWith('WARNING'));
    expect(errors).toEqual([]);
    expect(code).toBe(0);
  });

  it('action-validator rejects a step with a misspelt key (the check can fail)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'workflow-'));
    try {
      const file = path.join(dir, 'broken.yml');
      await writeFile(
        file,
        'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - rnu: echo hi\n',
      );
      const { code, output } = await validate(file);
      expect(code).not.toBe(0);
      expect(output).toContain("Additional property 'rnu' is not allowed");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
