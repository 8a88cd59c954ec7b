import { createRouter } from '../lib/router.ts';
import { getHealth, getReadiness } from './health.handlers.ts';
import { health, ready } from './health.routes.ts';

export const healthRouter = createRouter().openapi(health, getHealth).openapi(ready, getReadiness);
