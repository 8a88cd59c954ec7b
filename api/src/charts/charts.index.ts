import { createRouter } from '../lib/router.ts';
import {
  createChartHandler,
  deleteChartHandler,
  getChartDataHandler,
  getChartHandler,
  getChartImageHandler,
  listChartsHandler,
  updateChartHandler,
} from './charts.handlers.ts';
import {
  createChart,
  deleteChart,
  getChart,
  getChartData,
  getChartImage,
  listCharts,
  updateChart,
} from './charts.routes.ts';

export const chartsRouter = createRouter()
  .openapi(listCharts, listChartsHandler)
  .openapi(createChart, createChartHandler)
  .openapi(getChart, getChartHandler)
  .openapi(updateChart, updateChartHandler)
  .openapi(deleteChart, deleteChartHandler)
  .openapi(getChartData, getChartDataHandler)
  .openapi(getChartImage, getChartImageHandler);
