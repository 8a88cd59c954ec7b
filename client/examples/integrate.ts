// Publish a CSV file as a chart: CHARTROOM_URL=… CHARTROOM_API_KEY=cr_live_… node integrate.ts
import { createReadStream } from 'node:fs';
import { ChartroomError, createChartroomClient, unwrap } from '@chartroom/client';

const chartroom = createChartroomClient({
  baseUrl: process.env.CHARTROOM_URL ?? 'http://localhost:8000',
  apiKey: process.env.CHARTROOM_API_KEY,
});

// 1. A dataset from a CSV file, streamed as it is read; column types are inferred.
const dataset = await chartroom.uploadCsv(createReadStream(new URL('air.csv', import.meta.url)), {
  name: 'Air quality',
  visibility: 'unlisted',
});
console.log(`dataset ${dataset.id}: ${dataset.row_count} rows`);

// 2. More rows, as JSON (chartroom.appendCsv takes a CSV file instead).
const { row_count } = await unwrap(
  chartroom.POST('/v1/datasets/{id}/rows', {
    params: { path: { id: dataset.id } },
    body: {
      rows: [
        { day: '2024-01-03', city: 'Paris', pm25: 11.2 },
        { day: '2024-01-03', city: 'Lyon', pm25: 7.9 },
      ],
    },
  }),
);
console.log(`now ${row_count} rows`);

// 3. A line chart: daily average PM2.5, one line per city.
const chart = await unwrap(
  chartroom.POST('/v1/charts', {
    body: {
      dataset_id: dataset.id,
      title: 'PM2.5 by city',
      visibility: 'unlisted',
      spec: {
        type: 'line',
        x: { column: 'day', bucket: 'day' },
        y: [{ column: 'pm25', aggregate: 'avg' }],
        series: { column: 'city' },
      },
    },
  }),
);
console.log(`chart ${chart.id}`);

// 4. The chart's data, ready to draw: one series per city of [day, average] points.
const data = await unwrap(
  chartroom.GET('/v1/charts/{id}/data', { params: { path: { id: chart.id } } }),
);
for (const series of data.series) console.log(series.name, JSON.stringify(series.points));

// Errors are problem documents (RFC 9457), thrown as ChartroomError; a 422 names each field.
try {
  await unwrap(
    chartroom.POST('/v1/datasets/{id}/rows', {
      params: { path: { id: dataset.id } },
      body: { rows: [{ day: 'yesterday', city: 'Nice', pm25: 10 }] },
    }),
  );
} catch (error) {
  if (!(error instanceof ChartroomError)) throw error;
  console.log(`refused: ${error.status} ${error.detail}`, error.errors);
}
