import { describe, expect, it } from 'vitest';
import { wholeBuckets } from '../src/buckets.ts';
import { xml } from '../src/escape.ts';
import { formatDate, formatNumber, tickFormatter } from '../src/format.ts';
import { contrast, inkOn, PALETTES, THEMES } from '../src/palette.ts';
import { fitText, textWidth } from '../src/text-width.ts';
import { numericTicks, timeTicks } from '../src/ticks.ts';

const utc = (text: string) => Date.parse(`${text}T00:00:00Z`);

describe('time ticks', () => {
  it('a monthly series over three years ticks on months or years, never mid-month', () => {
    const ticks = timeTicks(utc('2022-01-01'), utc('2024-12-01'), 800, {
      fontSize: 12,
      bucket: 'month',
    });
    for (const tick of ticks) expect(new Date(tick.value).getUTCDate()).toBe(1);
    expect(ticks.some((t) => t.label === '2023')).toBe(true);
    expect(ticks.every((t) => /^(\d{4}|[A-Z][a-z]{2})$/.test(t.label))).toBe(true);
  });
  it('on a phone the same range thins to years', () => {
    const ticks = timeTicks(utc('2022-01-01'), utc('2024-12-01'), 260, {
      fontSize: 12,
      bucket: 'month',
    });
    expect(ticks.map((t) => t.label)).toEqual(['2022', '2023', '2024']);
  });
  it('a yearly bucket reads "2022", never a date', () => {
    const ticks = timeTicks(utc('2015-01-01'), utc('2024-01-01'), 900, {
      fontSize: 12,
      bucket: 'year',
    });
    expect(ticks[0]?.label).toBe('2015');
    expect(ticks.every((t) => /^\d{4}$/.test(t.label))).toBe(true);
  });
  it('a day over a week ticks days, naming the year once', () => {
    const ticks = timeTicks(utc('2024-03-04'), utc('2024-03-10'), 700, {
      fontSize: 12,
      bucket: 'day',
    });
    expect(ticks.map((t) => t.label)).toEqual([
      '4 Mar 2024',
      '5 Mar',
      '6 Mar',
      '7 Mar',
      '8 Mar',
      '9 Mar',
      '10 Mar',
    ]);
  });
  it('an hour over a day ticks hours, with the day at the first', () => {
    const start = Date.parse('2024-03-04T00:00:00Z');
    const ticks = timeTicks(start, start + 23 * 3_600_000, 700, { fontSize: 12, bucket: 'hour' });
    expect(ticks[0]?.label).toBe('4 Mar');
    expect(ticks.slice(1).every((t) => /^\d\d:00$/.test(t.label))).toBe(true);
  });
});

describe('numeric ticks', () => {
  const ticks = (lo: number, hi: number, span = 400, horizontal = false) =>
    numericTicks(lo, hi, span, { horizontal, fontSize: 12 });
  it('are round: 1, 2 or 5 × 10ⁿ steps, covering the data', () => {
    const axis = ticks(16.8, 1371.74, 600, true);
    const values = axis.ticks.map((t) => t.value);
    const step = (values[1] as number) - (values[0] as number);
    expect([1, 2, 5]).toContain(step / 10 ** Math.floor(Math.log10(step)));
    expect(axis.domain[0]).toBeLessThanOrEqual(16.8);
    expect(axis.domain[1]).toBeGreaterThanOrEqual(1371.74);
  });
  it('negative, tiny and zero-width ranges', () => {
    expect(ticks(-37, -2).ticks.map((t) => t.label)).toContain('−20');
    expect(ticks(0.000001, 0.000009).ticks.length).toBeGreaterThan(1);
    const flat = ticks(5, 5);
    expect(flat.domain[0]).toBeLessThan(5);
    expect(flat.domain[1]).toBeGreaterThan(5);
  });
  it('one unit for the whole axis: never 5,000 next to 10K', () => {
    const labels = ticks(0, 12_000).ticks.map((t) => t.label);
    expect(labels.every((l) => l === '0' || l.endsWith('K'))).toBe(true);
  });
  it('horizontal labels never touch, even on 280 px', () => {
    for (const span of [200, 280, 600, 1800]) {
      const axis = ticks(0, 123_456_789, span, true);
      const at = (v: number) => ((v - axis.domain[0]) / (axis.domain[1] - axis.domain[0])) * span;
      for (let i = 1; i < axis.ticks.length; i++) {
        const a = axis.ticks[i - 1];
        const b = axis.ticks[i];
        if (!a || !b) continue;
        const room = at(b.value) - at(a.value);
        expect(room).toBeGreaterThan((textWidth(a.label, 12) + textWidth(b.label, 12)) / 2);
      }
    }
  });
});

describe('formats', () => {
  it('values', () => {
    expect(formatNumber(10.033333333333333)).toBe('10.03');
    expect(formatNumber(1234567)).toBe('1.23M');
    expect(formatNumber(4321)).toBe('4,321');
    expect(formatNumber(0.25, { style: 'percent' })).toBe('25%');
    expect(formatNumber(-1234.5, { style: 'currency', currency: '€' })).toBe('−€1,234.50');
    expect(formatNumber(1234.5678, { style: 'decimal', decimals: 1 })).toBe('1,234.6');
    expect(formatNumber(2_500_000_000, { style: 'compact' })).toBe('2.5B');
    expect(formatNumber(98765.4, { style: 'integer' })).toBe('98,765');
  });
  it('ticks take the decimals their step needs', () => {
    expect([0, 0.5, 1].map(tickFormatter([0, 0.5, 1]))).toEqual(['0.0', '0.5', '1.0']);
    expect([0, 0.1].map(tickFormatter([0, 0.1], { style: 'percent' }))).toEqual(['0%', '10%']);
  });
  it('dates follow the bucket', () => {
    expect(formatDate('2024-03-01', 'month', 'date')).toBe('March 2024');
    expect(formatDate('2024-01-01', 'year', 'date')).toBe('2024');
    expect(formatDate('2024-03-04', 'day', 'date')).toBe('Mon 4 Mar 2024');
    expect(formatDate('2024-03-04T14:00:00.000Z', 'hour', 'timestamp')).toBe(
      'Mon 4 Mar 2024, 14:00',
    );
  });
});

describe('text', () => {
  it('escapes markup and drops what XML forbids', () => {
    expect(xml('<img src=x onerror="a()">&\u0000\ud800]]>')).toBe(
      '&lt;img src=x onerror=&quot;a()&quot;&gt;&amp;]]&gt;',
    );
  });
  it('fits long names with an ellipsis', () => {
    const cut = fitText('A very long category name indeed', 12, 80);
    expect(cut.endsWith('…')).toBe(true);
    expect(textWidth(cut, 12)).toBeLessThanOrEqual(80);
  });
});

describe('colours', () => {
  for (const theme of ['light', 'dark'] as const) {
    it(`${theme}: every series colour at 3:1 against the background, text at 4.5:1`, () => {
      const colours = THEMES[theme];
      for (const colour of PALETTES[theme]) {
        expect(contrast(colour, colours.background), colour).toBeGreaterThanOrEqual(3);
        // Labels written on a slice or a bar of this colour read at 4.5:1.
        expect(contrast(colour, inkOn(colour)), colour).toBeGreaterThanOrEqual(4.5);
      }
      expect(contrast(colours.other, colours.background)).toBeGreaterThanOrEqual(3);
      expect(contrast(colours.muted, colours.background)).toBeGreaterThanOrEqual(4.5);
      expect(contrast(colours.text, colours.background)).toBeGreaterThanOrEqual(4.5);
    });
  }
});

describe('whole buckets for a zoomed range', () => {
  const at = (iso: string) => Date.parse(iso);
  const iso = (ms: number) => new Date(ms).toISOString();
  it('widens a range cut inside months to the months it touches', () => {
    const [from, to] = wholeBuckets(
      'month',
      at('2022-11-21T00:00:00Z'),
      at('2023-12-02T00:00:00Z'),
    );
    expect(iso(from)).toBe('2022-11-01T00:00:00.000Z');
    expect(iso(to)).toBe('2023-12-31T23:59:59.999Z');
  });
  it('weeks start on Monday, as the API buckets them; years and hours whole too', () => {
    // 2024-03-06 is a Wednesday.
    expect(
      iso(wholeBuckets('week', at('2024-03-06T12:00:00Z'), at('2024-03-06T12:00:00Z'))[0]),
    ).toBe('2024-03-04T00:00:00.000Z');
    expect(
      iso(wholeBuckets('year', at('2024-06-01T00:00:00Z'), at('2025-02-01T00:00:00Z'))[1]),
    ).toBe('2025-12-31T23:59:59.999Z');
    expect(
      iso(wholeBuckets('hour', at('2024-01-01T10:20:00Z'), at('2024-01-01T10:40:00Z'))[0]),
    ).toBe('2024-01-01T10:00:00.000Z');
  });
});

describe('fixed decimals on an axis', () => {
  it('round ticks drop the fixed decimals that values keep', () => {
    const options = { style: 'decimal' as const, decimals: 1, prefix: '£' };
    const tick = tickFormatter([0, 1000, 2000, 3000], options);
    expect(tick(2000)).toBe('£2,000');
    expect(formatNumber(2000, options)).toBe('£2,000.0');
    expect(tickFormatter([0, 0.5, 1], options)(0.5)).toBe('£0.5');
  });
});
