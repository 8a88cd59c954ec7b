import { createRoute, z } from '@hono/zod-openapi';
import { SCOPES } from '../auth/auth-context.ts';
import { secured } from '../auth/secured.ts';
import { idempotent } from '../idempotency/idempotent.ts';
import { problemResponses } from '../lib/problem.ts';
import { cleanText, IdSchema, TimestampSchema } from '../lib/schemas.ts';
import { MAX_API_KEYS } from './api-keys.repository.ts';

export const ApiKeySchema = z
  .object({
    id: IdSchema,
    name: z.string().openapi({ example: 'Nightly import script' }),
    prefix: z
      .string()
      .describe('The first characters of the key, to recognise it; the rest is secret.')
      .openapi({ example: 'cr_live_Qm9vYmFy' }),
    scopes: z.array(z.enum(SCOPES)),
    created_at: TimestampSchema,
    last_used_at: TimestampSchema.nullable().describe('Updated at most once a minute.'),
  })
  .openapi('ApiKey');

export const CreatedApiKeySchema = ApiKeySchema.extend({
  secret: z
    .string()
    .describe('The whole key. Shown this once only: store it now.')
    .openapi({ example: 'cr_live_Qm9vYmFyQmF6UXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1u' }),
}).openapi('CreatedApiKey');

const CreateApiKeySchema = z
  .object({
    name: cleanText({ max: 100 }).openapi({ example: 'Nightly import script' }),
    scopes: z
      .array(z.enum(SCOPES))
      .min(1)
      .max(SCOPES.length)
      .refine((scopes) => new Set(scopes).size === scopes.length, 'must not repeat a scope')
      .default(['read'])
      .describe('`read` for GET operations, `write` for everything else.'),
  })
  .openapi('CreateApiKey');

const TAG = 'API keys';
const SESSION_ONLY =
  'API keys are managed from a logged-in session (the account page), so a leaked key cannot mint others.';

export const listApiKeys = createRoute(
  secured(
    {
      method: 'get',
      path: '/v1/api-keys',
      operationId: 'listApiKeys',
      tags: [TAG],
      summary: 'List my API keys',
      description: `Newest first, without their secrets. ${SESSION_ONLY}`,
      responses: {
        200: {
          description: 'The keys.',
          content: {
            'application/json': { schema: z.object({ items: z.array(ApiKeySchema) }) },
          },
        },
      },
    },
    { sessionOnly: true },
  ),
);

export const createApiKey = createRoute(
  idempotent(
    secured(
      {
        method: 'post',
        path: '/v1/api-keys',
        operationId: 'createApiKey',
        tags: [TAG],
        summary: 'Create an API key',
        description: `The answer holds the secret, once. An account holds at most ${MAX_API_KEYS} keys (409 beyond: revoke one first). ${SESSION_ONLY}`,
        request: {
          body: { required: true, content: { 'application/json': { schema: CreateApiKeySchema } } },
        },
        responses: {
          201: {
            description: 'Created. Store `secret` now: it is not shown again.',
            content: { 'application/json': { schema: CreatedApiKeySchema } },
          },
          ...problemResponses(409, 413, 415, 422),
        },
      },
      { sessionOnly: true },
    ),
  ),
);

export const deleteApiKey = createRoute(
  secured(
    {
      method: 'delete',
      path: '/v1/api-keys/{id}',
      operationId: 'deleteApiKey',
      tags: [TAG],
      summary: 'Revoke an API key',
      description: `Refused from the next request on, on every instance. ${SESSION_ONLY}`,
      request: { params: z.object({ id: IdSchema }) },
      responses: {
        204: { description: 'Revoked.' },
        ...problemResponses(404, 422),
      },
    },
    { sessionOnly: true },
  ),
);
