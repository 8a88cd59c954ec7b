import { type Account, bearer, createKey, json, signUp } from '../accounts.ts';
import { uploadCsv } from '../datasets.ts';
import { EDGE_NUMBER_TEXTS, PROTOTYPE_NAMES, TAMPERED_CURSORS } from './edge-values.ts';
import type { Caller, FuzzRequest } from './operations.ts';
import type { JsonSchema } from './schema-arbitrary.ts';

type Request = (url: string, init?: RequestInit) => Promise<Response>;

/** Settings of the app under fuzzing: small limits, so that "too large" costs little to send. */
export const FUZZ_APP_ENV = { BODY_LIMIT_BYTES: '65536', UPLOAD_LIMIT_BYTES: '65536' };
export const FUZZ_BODY_LIMIT = Number(FUZZ_APP_ENV.BODY_LIMIT_BYTES);
export const ALLOWED_ORIGIN = 'http://localhost:4321';

// Air quality by day and city, with every column type, so the contract's examples (day, city,
// pm25) describe real columns and most generated definitions can succeed.
const CITIES = ['Paris', 'Lyon', 'Nice'];
const CSV = [
  'day,city,pm25,readings,calibrated,measured_at',
  ...Array.from({ length: 30 }, (_, i) => {
    const day = new Date(Date.UTC(2024, 0, 1 + Math.floor(i / 3))).toISOString().slice(0, 10);
    const pm25 = i % 7 === 3 ? '' : ((i * 37) % 400) / 10;
    return `${day},${CITIES[i % 3]},${pm25},${(i * 13) % 50},${i % 2 === 0},${day}T08:${String(i).padStart(2, '0')}:00Z`;
  }),
].join('\n');

const COLUMNS = ['day', 'city', 'pm25', 'readings', 'calibrated', 'measured_at'];
const CHART_SPEC = {
  type: 'line',
  x: { column: 'day', bucket: 'month' },
  y: [{ column: 'pm25', aggregate: 'avg' }],
  series: { column: 'city' },
};

/**
 * Stand-ins the generators use for things that exist only once the world is built (ids,
 * emails). They satisfy the contract's formats, so invalid-input checks judge them fairly, and
 * are swapped for the real values as each request is sent.
 */
const PLACEHOLDERS = {
  publicDataset: '00000000-0000-4000-8000-00000000f001',
  privateDataset: '00000000-0000-4000-8000-00000000f002',
  publicChart: '00000000-0000-4000-8000-00000000f003',
  privateChart: '00000000-0000-4000-8000-00000000f004',
  ownerKey: '00000000-0000-4000-8000-00000000f005',
  strangerDataset: '00000000-0000-4000-8000-00000000f006',
  ownerEmail: 'owner@fuzz.invalid',
  strangerEmail: 'stranger@fuzz.invalid',
} as const;
type Placeholder = keyof typeof PLACEHOLDERS;

const UUID_HINTS = Object.entries(PLACEHOLDERS)
  .filter(([name]) => !name.endsWith('Email'))
  .map(([, value]) => value);
/** Ids of the kind a place names (`/v1/charts/{id}`, `dataset_id`), so most lookups find one. */
const UUID_HINTS_BY_KIND: [RegExp, string[]][] = [
  [/chart/, [PLACEHOLDERS.publicChart, PLACEHOLDERS.privateChart]],
  [
    /dataset/,
    [PLACEHOLDERS.publicDataset, PLACEHOLDERS.privateDataset, PLACEHOLDERS.strangerDataset],
  ],
  [/api-key/, [PLACEHOLDERS.ownerKey]],
];
const EMAIL_HINTS = [PLACEHOLDERS.ownerEmail, PLACEHOLDERS.strangerEmail];
const WORDS = [
  ...COLUMNS,
  'c1',
  'c3',
  'Paris',
  'Lyon',
  '2024-01-05',
  '2024-01-05T08:00:00Z',
  '12.5',
  'pm25:gte:10',
  'city:eq:Paris',
  'city:in:["Paris","Lyon"]',
  'pm25:is_null:true',
  'day:lt:2024-01-04',
  'calibrated:eq:true',
  'readings:ne:abc',
  '-day',
  '-pm25',
  'avg of pm25',
  'day (month)',
  'pm25:text',
  'day:date',
  ...PROTOTYPE_NAMES,
  'constructor:text',
  ...EDGE_NUMBER_TEXTS.map((value) => `pm25:gt:${value}`),
  'readings:lt:1e400',
  'measured_at:gte:2024-01-01T00:00+99:99',
  'measured_at:lt:2024-01-01T00:00:00+24:00',
];

/** Words and ids worth trying for a string schema: what the world's data is really called. */
export function fuzzHints(schema: JsonSchema, where: string): readonly string[] {
  if (schema.format === 'uuid') {
    return UUID_HINTS_BY_KIND.find(([kind]) => kind.test(where))?.[1] ?? UUID_HINTS;
  }
  if (schema.format === 'email' || schema.format === 'idn-email') return EMAIL_HINTS;
  if (/\bcursor$/.test(where)) return [...TAMPERED_CURSORS, ...WORDS];
  return WORDS;
}

interface Credentials {
  owner: Account;
  stranger: Account;
  ownerKey: { id: string; secret: string };
  readKey: string;
  revokedKey: string;
}

/**
 * The app with something in it: two accounts, API keys, a public and a private dataset from a
 * CSV, a chart on each, and a dataset of the stranger's. Fuzzed requests may delete any of it or
 * log a session out; `heal()` puts back what is gone, so later requests still reach real data.
 */
export class FuzzWorld {
  private readonly ids = new Map<Placeholder, string>();
  private credentials!: Credentials;

  private readonly request: Request;

  private constructor(request: Request) {
    this.request = request;
  }

  static async create(request: Request): Promise<FuzzWorld> {
    const world = new FuzzWorld(request);
    const owner = await signUp(request, 'Owner');
    const stranger = await signUp(request, 'Stranger');
    const ownerKey = await createKey(request, owner, ['read', 'write']);
    const readKey = (await createKey(request, owner, ['read'])).secret;
    const revoked = await createKey(request, owner, ['read', 'write']);
    await world.expect(
      request(`/v1/api-keys/${revoked.id}`, {
        method: 'DELETE',
        headers: { Cookie: owner.cookie },
      }),
      204,
    );
    world.credentials = { owner, stranger, ownerKey, readKey, revokedKey: revoked.secret };
    world.ids.set('ownerEmail', owner.email);
    world.ids.set('strangerEmail', stranger.email);
    world.ids.set('ownerKey', ownerKey.id);
    await world.heal();
    return world;
  }

  headersFor(caller: Caller): Record<string, string> {
    const { owner, stranger, ownerKey, readKey, revokedKey } = this.credentials;
    switch (caller) {
      case 'anonymous':
        return {};
      case 'owner-session':
        return { Cookie: owner.cookie };
      case 'owner-key':
        return bearer(ownerKey.secret);
      case 'owner-read-key':
        return bearer(readKey);
      case 'stranger-session':
        return { Cookie: stranger.cookie };
      case 'revoked-key':
        return bearer(revokedKey);
      case 'malformed-key':
        return { Authorization: 'Bearer not-an-api-key' };
    }
  }

  /** Swaps placeholders for the ids and emails they stand for. */
  resolve(text: string): string {
    let resolved = text;
    for (const [name, placeholder] of Object.entries(PLACEHOLDERS)) {
      const real = this.ids.get(name as Placeholder);
      if (real !== undefined) resolved = resolved.replaceAll(placeholder, real);
    }
    return resolved;
  }

  /** The URL and init of a generated request, ready for `app.request()`. */
  toFetch(template: string, method: string, fuzz: FuzzRequest): { url: string; init: RequestInit } {
    const pathname = template.replace(/\{([^}]+)\}/g, (_, name: string) =>
      encodeURIComponent(this.resolve(fuzz.path[name] ?? '')),
    );
    const query = new URLSearchParams(
      fuzz.query.map(([name, value]) => [name, this.resolve(value)]),
    ).toString();
    const headers: Record<string, string> = { ...fuzz.headers, ...this.headersFor(fuzz.caller) };
    if (fuzz.origin) headers.Origin = fuzz.origin;
    if (fuzz.accept) headers.Accept = fuzz.accept;
    const init: RequestInit = { method, headers };
    if (fuzz.body) {
      // Bytes, not a string: a string body would get a text/plain Content-Type from fetch.
      init.body = new TextEncoder().encode(this.resolve(fuzz.body.text));
      if (fuzz.body.contentType) headers['Content-Type'] = fuzz.body.contentType;
    }
    return { url: query ? `${pathname}?${query}` : pathname, init };
  }

  /**
   * Puts back what fuzzed requests took away: ended sessions log in again, a revoked key is
   * replaced, deleted datasets and charts are made again (under new ids, which the
   * placeholders follow).
   */
  async heal(): Promise<void> {
    const { owner, stranger } = this.credentials;
    for (const account of [owner, stranger]) {
      const me = await this.request('/v1/me', { headers: { Cookie: account.cookie } });
      if (me.status !== 200) account.cookie = await this.logIn(account);
    }
    const keyCheck = await this.request('/v1/me', {
      headers: bearer(this.credentials.ownerKey.secret),
    });
    if (keyCheck.status !== 200) {
      this.credentials.ownerKey = await createKey(this.request, owner, ['read', 'write']);
      this.ids.set('ownerKey', this.credentials.ownerKey.id);
    }
    const readCheck = await this.request('/v1/me', { headers: bearer(this.credentials.readKey) });
    if (readCheck.status !== 200) {
      this.credentials.readKey = (await createKey(this.request, owner, ['read'])).secret;
    }
    await this.ensureDataset('publicDataset', owner, 'public');
    await this.ensureDataset('privateDataset', owner, 'private');
    await this.ensureDataset('strangerDataset', stranger, 'private');
    await this.ensureChart('publicChart', 'publicDataset', 'public');
    await this.ensureChart('privateChart', 'privateDataset', 'private');
  }

  private async logIn(account: Account): Promise<string> {
    const response = await this.expect(
      this.request('/v1/auth/login', json({ email: account.email, password: account.password })),
      200,
    );
    const cookie = response.headers
      .getSetCookie()
      .find((header) => header.startsWith('chartroom_session='));
    return (cookie as string).split(';')[0] as string;
  }

  private async exists(path: string, account: Account): Promise<boolean> {
    const response = await this.request(path, { headers: { Cookie: account.cookie } });
    return response.status === 200;
  }

  private async ensureDataset(name: Placeholder, account: Account, visibility: string) {
    const id = this.ids.get(name);
    if (id && (await this.exists(`/v1/datasets/${id}`, account))) return;
    const response = await this.expect(
      uploadCsv(this.request, account, CSV, { name: `Fuzz ${name}`, visibility }),
      201,
    );
    this.ids.set(name, ((await response.json()) as { id: string }).id);
  }

  private async ensureChart(name: Placeholder, dataset: Placeholder, visibility: string) {
    const { owner } = this.credentials;
    const id = this.ids.get(name);
    if (id && (await this.exists(`/v1/charts/${id}`, owner))) return;
    const response = await this.expect(
      this.request(
        '/v1/charts',
        json(
          {
            dataset_id: this.ids.get(dataset),
            title: `Fuzz ${name}`,
            visibility,
            spec: CHART_SPEC,
          },
          { Cookie: owner.cookie },
        ),
      ),
      201,
    );
    this.ids.set(name, ((await response.json()) as { id: string }).id);
  }

  private async expect(pending: Promise<Response>, status: number): Promise<Response> {
    const response = await pending;
    if (response.status !== status) {
      throw new Error(
        `setting up the fuzz world: expected ${status}, got ${response.status}: ${await response.text()}`,
      );
    }
    return response;
  }
}
