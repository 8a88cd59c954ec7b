import { createRouter } from '../lib/router.ts';
import {
  createApiKeyHandler,
  deleteApiKeyHandler,
  listApiKeysHandler,
} from './api-keys.handlers.ts';
import { createApiKey, deleteApiKey, listApiKeys } from './api-keys.routes.ts';

export const apiKeysRouter = createRouter()
  .openapi(listApiKeys, listApiKeysHandler)
  .openapi(createApiKey, createApiKeyHandler)
  .openapi(deleteApiKey, deleteApiKeyHandler);
