import { type ChartData, type ChartSpec, renderChart } from '@chartroom/charts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, json, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { createChart } from './support/charts.ts';
import { contractClient } from './support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from './support/databases.ts';
import { uploadCsv } from './support/datasets.ts';

const CSV = `day,region,sales\n${Array.from(
  { length: 24 },
  (_, i) =>
    `2024-${String((i % 12) + 1).padStart(2, '0')}-01,${i < 12 ? 'North' : 'South'},${100 + i * 10}`,
).join('\n')}\n`;

const OPTIONS = {
  type: 'line',
  x: { column: 'day', bucket: 'month' },
  y: [{ column: 'sales', aggregate: 'sum' }],
  series: { column: 'region' },
  colors: [{ series: 'North', color: '#123456' }],
  highlight: ['South'],
  markers: true,
  format: { number: 'decimal', decimals: 1, prefix: '$', suffix: ' k' },
  annotations: [
    { type: 'line', value: 250, label: 'Target' },
    { type: 'range', from: '2024-03-01', to: '2024-05-01', label: 'Spring sale' },
    { type: 'note', x: '2024-08-01', y: 180, label: 'New shop' },
  ],
};

describe.each(testEngines)('chart spec options on %s', (engine) => {
  let database: TestDatabase;
  let request: ReturnType<typeof contractClient>;
  let owner: Account;
  let datasetId: string;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    request = contractClient(createTestApp(database));
    owner = await signUp(request, 'Options');
    const response = await uploadCsv(request, owner, CSV, { visibility: 'public' });
    datasetId = ((await response.json()) as { id: string }).id;
  });
  afterAll(() => database.close());

  it('are kept as given and drawn into the image', async () => {
    const id = await createChart(request, owner, datasetId, OPTIONS);
    const chart = (await (await request(`/v1/charts/${id}`)).json()) as { spec: typeof OPTIONS };
    expect(chart.spec).toMatchObject(OPTIONS);
    const svg = await (await request(`/v1/charts/${id}/image.svg?width=640&height=400`)).text();
    expect(svg).toContain('stroke="#8a8f98"');
    expect(svg).toContain('Reference line at $250.0 k: Target.');
    expect(svg).toContain('>Spring sale</text>');
    expect(svg).toMatch(/<title>[^<]*South: \$\d+\.\d k<\/title>/);
  });

  it('the API’s image is the document the page draws from the same data, size and theme', async () => {
    const id = await createChart(request, owner, datasetId, OPTIONS, { title: 'Sales <2024>' });
    const chart = (await (await request(`/v1/charts/${id}`)).json()) as {
      spec: ChartSpec;
      title: string;
      description: string;
    };
    for (const [width, height, theme] of [
      [360, 320, 'light'],
      [1280, 720, 'dark'],
    ] as const) {
      // The image samples the data to one point per pixel of width, as a page asks for it.
      const data = (await (
        await request(`/v1/charts/${id}/data?max_points=${width}`)
      ).json()) as ChartData;
      const image = await (
        await request(`/v1/charts/${id}/image.svg?width=${width}&height=${height}&theme=${theme}`)
      ).text();
      const drawn = renderChart(chart.spec, data, {
        width,
        height,
        theme,
        title: chart.title,
        description: chart.description,
        idPrefix: 'chart',
        standalone: true,
      });
      expect(image).toBe(drawn);
    }
  });

  it('refuse annotations a date axis cannot place, naming the field', async () => {
    const spec = { ...OPTIONS, annotations: [{ type: 'note', x: 'soon', y: 1, label: 'x' }] };
    const response = await request(
      '/v1/charts',
      json({ dataset_id: datasetId, title: 'Bad', spec }, { Cookie: owner.cookie }),
    );
    expect(response.status).toBe(422);
    const body = (await response.json()) as { errors: { loc: unknown[]; msg: string }[] };
    expect(body.errors[0]?.loc).toEqual(['body', 'spec', 'annotations', 0, 'x']);
    expect(body.errors[0]?.msg).toMatch(/give a date such as 2024-03-01/);
  });

  it('refuse colours that are not #RRGGBB and affixes with control characters', async () => {
    for (const bad of [
      { colors: [{ series: 'North', color: 'red' }] },
      { colors: [{ series: 'North', color: '#12345g' }] },
      { format: { number: 'auto', prefix: '\u0007$' } },
      { format: { number: 'auto', suffix: '123456789' } },
      { annotations: Array.from({ length: 21 }, () => ({ type: 'line', value: 1 })) },
    ]) {
      const response = await request(
        '/v1/charts',
        json(
          { dataset_id: datasetId, title: 'Bad', spec: { ...OPTIONS, ...bad } },
          { Cookie: owner.cookie },
        ),
      );
      expect(response.status, JSON.stringify(bad)).toBe(422);
    }
  });
});
