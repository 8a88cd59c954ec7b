// @chartroom/client: the Chartroom API v1 from TypeScript, typed by its OpenAPI contract.
export {
  type ChartroomClient,
  type ChartroomClientOptions,
  type CsvAppendOptions,
  type CsvUploadOptions,
  createChartroomClient,
} from './client.ts';
export type { CsvBody } from './csv.ts';
export { ChartroomError, type Problem, unwrap, type ValidationErrorItem } from './errors.ts';
export type { components, operations, paths } from './schema.ts';
