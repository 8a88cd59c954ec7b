import { createRouter } from '../lib/router.ts';
import {
  appendRowsHandler,
  createDatasetHandler,
  deleteDatasetHandler,
  getDatasetHandler,
  listDatasetsHandler,
  listRowsHandler,
  queryDatasetHandler,
  updateDatasetHandler,
} from './datasets.handlers.ts';
import {
  appendRows,
  createDataset,
  deleteDataset,
  getDataset,
  listDatasets,
  listRows,
  queryDataset,
  updateDataset,
} from './datasets.routes.ts';

export const datasetsRouter = createRouter()
  .openapi(listDatasets, listDatasetsHandler)
  .openapi(createDataset, createDatasetHandler)
  .openapi(getDataset, getDatasetHandler)
  .openapi(updateDataset, updateDatasetHandler)
  .openapi(deleteDataset, deleteDatasetHandler)
  .openapi(listRows, listRowsHandler)
  .openapi(appendRows, appendRowsHandler)
  .openapi(queryDataset, queryDatasetHandler);
