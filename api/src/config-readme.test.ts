import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from './config.ts';

/** The README's table of the API's variables: name and documented default, by row. */
function documentedVariables(): Map<string, string> {
  const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Deploying'));
  const table = section.slice(0, section.indexOf('The web app has'));
  const rows = new Map<string, string>();
  for (const match of table.matchAll(/^\| `([A-Z0-9_]+)` +\| ([^|]+?) +\|/gm)) {
    rows.set(match[1] as string, (match[2] as string).trim());
  }
  return rows;
}

describe('README "Configuration"', () => {
  const documented = documentedVariables();

  it('names every variable the API reads, and no other', () => {
    expect([...documented.keys()].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it('gives the defaults the API really uses', () => {
    const defaults = loadConfig({}) as Record<string, unknown>;
    for (const [name, text] of documented) {
      // Only plain values are compared; rows like "unset" or "`true` in production" explain.
      const plain = /^`([^`]*)`$/.exec(text)?.[1];
      if (plain === undefined || name === 'PGLITE_DATA_DIR') continue;
      const actual = defaults[name];
      const shown = Array.isArray(actual) ? actual.join(',') : String(actual);
      expect({ name, default: shown }).toEqual({ name, default: plain });
    }
  });
});
