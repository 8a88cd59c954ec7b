import { createRouter } from '../lib/router.ts';
import {
  createChartHandler,
  deleteChartHandler,
  getChartDataHandler,
  getChartHandler,
  getChartImageHandler,
  listChartsHandler,
  previewChartHandler,
  updateChartHandler,
} from './charts.handlers.ts';
import {
  createChart,
  deleteChart,
  getChart,
  getChartData,
  getChartImage,
  listCharts,
  previewChart,
  updateChart,
} from './charts.routes.ts';

export const chartsRouter = createRouter()
  .openapi(listCharts, listChartsHandler)
  .openapi(previewChart, previewChartHandler)
  .openapi(createChart, createChartHandler)
  .openapi(getChart, getChartHandler)
  .openapi(updateChart, updateChartHandler)
  .openapi(deleteChart, deleteChartHandler)
  .openapi(getChartData, getChartDataHandler)
  .openapi(getChartImage, getChartImageHandler);
