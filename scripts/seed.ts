// Sample data for `npm start`: on an empty database, a demo account and a public dataset, made
// through the API itself (the same validation and import path as any user's).
import pino from 'pino';
import { createApp } from '../api/src/app.ts';
import { loadConfig } from '../api/src/config.ts';
import { databaseOptionsFromConfig, openDatabase } from '../api/src/db/database.ts';
import { migrateToLatest } from '../api/src/db/migrate.ts';

export const DEMO_EMAIL = 'demo@chartroom.local';
export const DEMO_PASSWORD = 'chartroom demo';

/** A year of daily air-quality readings for three cities, the same on every run. */
function sampleCsv(): string {
  const lines = ['day,city,pm25,no2,rain'];
  const cities: [string, number][] = [
    ['Paris', 14],
    ['Lyon', 12],
    ['Marseille', 10],
  ];
  for (let day = 0; day < 365; day++) {
    const date = new Date(Date.UTC(2024, 0, 1 + day)).toISOString().slice(0, 10);
    cities.forEach(([city, base], c) => {
      const season = Math.cos((2 * Math.PI * day) / 365) * 5;
      const noise = ((day * 31 + c * 17) % 23) / 4;
      const pm25 = (base + season + noise).toFixed(1);
      const no2 = (base * 2 + season * 1.5 + (((day * 7 + c) % 13) - 6)).toFixed(1);
      const rain = (day * 13 + c * 5) % 7 === 0 ? 'true' : 'false';
      lines.push(`${date},${city},${pm25},${no2},${rain}`);
    });
  }
  return `${lines.join('\n')}\n`;
}

const config = loadConfig();
const database = openDatabase(databaseOptionsFromConfig(config));
try {
  await migrateToLatest(database.db);
  const users = await database.db.selectFrom('users').select('id').limit(1).execute();
  if (users.length > 0) {
    console.log('seed: the database already has data; nothing added');
  } else {
    const app = createApp({ config, database, logger: pino({ level: 'silent' }) });
    const signup = await app.request('/v1/auth/signup', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: DEMO_EMAIL, password: DEMO_PASSWORD, display_name: 'Demo' }),
    });
    const cookie = signup.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const created = await app.request(
      '/v1/datasets?name=Air%20quality%202024&visibility=public&description=Daily%20readings%20(sample%20data)',
      {
        method: 'POST',
        headers: { 'Content-Type': 'text/csv', Cookie: cookie },
        body: sampleCsv(),
      },
    );
    if (signup.status !== 201 || created.status !== 201) {
      throw new Error(`seeding failed: ${signup.status} ${created.status} ${await created.text()}`);
    }
    const { id: datasetId } = (await created.json()) as { id: string };
    const charts = [
      {
        title: 'Fine particles by month',
        description: 'Monthly average PM2.5 per city (sample data).',
        spec: {
          type: 'line',
          x: { column: 'day', bucket: 'month' },
          y: [{ column: 'pm25', aggregate: 'avg' }],
          series: { column: 'city' },
          format: { y_label: 'PM2.5 (µg/m³)' },
        },
      },
      {
        title: 'Rainy days per city',
        description: 'How many days it rained in 2024 (sample data).',
        spec: {
          type: 'bar',
          x: { column: 'city' },
          y: [{ aggregate: 'count' }],
          filters: [{ column: 'rain', op: 'eq', value: true }],
        },
      },
    ];
    for (const chart of charts) {
      const response = await app.request('/v1/charts', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: cookie },
        body: JSON.stringify({ dataset_id: datasetId, visibility: 'public', ...chart }),
      });
      if (response.status !== 201)
        throw new Error(`seeding a chart failed: ${await response.text()}`);
    }
    console.log(
      `seed: added the public dataset "Air quality 2024" and two charts; log in as ${DEMO_EMAIL} / ${DEMO_PASSWORD}`,
    );
  }
} finally {
  await database.db.destroy();
}
