import { createRoute, z } from '@hono/zod-openapi';
import { problemResponses } from '../lib/problem.ts';

export const HealthSchema = z
  .object({ status: z.literal('ok') })
  .openapi('Health', { example: { status: 'ok' } });

export const ReadinessSchema = z
  .object({
    status: z.literal('ready'),
    database: z.enum(['postgres', 'pglite']).describe('Which engine the API is connected to.'),
    migrations: z.literal('current'),
    replica: z
      .enum(['none', 'up', 'down'])
      .describe(
        'The read replica (DATABASE_REPLICA_URL): none configured, answering, or down. Reads go to the primary while it is down, so a replica that is down never makes the API unready.',
      ),
  })
  .openapi('Readiness', {
    example: { status: 'ready', database: 'postgres', migrations: 'current', replica: 'none' },
  });

export const health = createRoute({
  method: 'get',
  path: '/health',
  operationId: 'getHealth',
  security: [],
  tags: ['Health'],
  summary: 'Liveness: the process is up',
  description: 'Answers 200 as long as the process can serve HTTP. It does not touch the database.',
  responses: {
    200: {
      description: 'The process is alive.',
      content: { 'application/json': { schema: HealthSchema } },
    },
  },
});

export const ready = createRoute({
  method: 'get',
  path: '/ready',
  operationId: 'getReadiness',
  security: [],
  tags: ['Health'],
  summary: 'Readiness: the database answers and its migrations are current',
  description:
    'Load balancers and the Railway health check use this: 200 only when the database answers and every migration is applied.',
  responses: {
    200: {
      description: 'Ready to serve requests.',
      content: { 'application/json': { schema: ReadinessSchema } },
    },
    ...problemResponses(503),
  },
});
