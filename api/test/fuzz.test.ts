import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createTestApp } from './support/app.ts';
import { contractClient } from './support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from './support/databases.ts';
import {
  type GeneratorOptions,
  invalidRequests,
  operations,
  validRequests,
} from './support/fuzz/operations.ts';
import { FuzzTally, type Kind, sendAndCheck } from './support/fuzz/runner.ts';
import {
  ALLOWED_ORIGIN,
  FUZZ_APP_ENV,
  FUZZ_BODY_LIMIT,
  FuzzWorld,
  fuzzHints,
} from './support/fuzz/world.ts';

// The suite runs a few cases of each; `npm run fuzz` sets FUZZ_RUNS to many more, prints what
// was sent, and FUZZ_SEED (with FUZZ_PATH from a failure report) replays a run.
const fuzzing = process.env.FUZZ_RUNS !== undefined;
const runs = Number(process.env.FUZZ_RUNS ?? 20);
const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const replayPath = process.env.FUZZ_PATH;
const only = process.env.FUZZ_OPERATIONS?.split(',').map((name) => name.trim());
const timeout = 30_000 + runs * 400;

const options: GeneratorOptions = {
  hints: fuzzHints,
  maxArrayLength: 4,
  bodyLimit: FUZZ_BODY_LIMIT,
  allowedOrigin: ALLOWED_ORIGIN,
};

const cases = operations
  .filter((operation) => !only || only.includes(operation.operationId))
  .flatMap((operation) => {
    const invalid = invalidRequests(operation, options);
    return [
      { operation, kind: 'valid' as Kind, requests: validRequests(operation, options) },
      ...(invalid ? [{ operation, kind: 'invalid' as Kind, requests: invalid }] : []),
    ];
  });

describe.each(testEngines)('every operation of the contract, fuzzed, on %s', (engine) => {
  let database: TestDatabase;
  let app: ReturnType<typeof createTestApp>;
  let world: FuzzWorld;
  const tally = new FuzzTally();
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    app = createTestApp(database, FUZZ_APP_ENV);
    world = await FuzzWorld.create(contractClient(app));
    if (fuzzing) console.log(`fuzz seed ${seed} (replay: FUZZ_SEED=${seed} npm run fuzz)`);
  });
  afterAll(async () => {
    if (fuzzing) console.log(tally.report(`requests and statuses on ${engine}, seed ${seed}:`));
    await database?.close();
  });

  it.each(cases)(
    '$operation.method $operation.template ($operation.operationId), $kind requests: no 5xx, answers as documented',
    async ({ operation, kind, requests }) => {
      await fc.assert(
        fc.asyncProperty(requests, (request) =>
          sendAndCheck(app, world, operation, request, kind, tally),
        ),
        { numRuns: runs, seed, ...(replayPath ? { path: replayPath } : {}) },
      );
    },
    timeout,
  );
});
