import type { Theme } from './types.ts';

/**
 * Series colours, in order: the first ones follow Okabe and Ito's colour-blind-safe palette,
 * darkened (light theme) or lightened (dark theme) until each stands out from the background
 * at WCAG's 3:1 for graphics (checked by a test). Twelve can be told apart; past them a chart
 * folds the rest into "Other", which is grey.
 */
export const PALETTES: Record<Theme, string[]> = {
  light: [
    '#0072B2',
    '#D55E00',
    '#007F5C',
    '#AD4F86',
    '#976500',
    '#6A51A3',
    '#6E6E00',
    '#8C564B',
    '#00808A',
    '#D6246E',
    '#4E7D23',
    '#2A4D9B',
  ],
  dark: [
    '#56B4E9',
    '#FF8A4C',
    '#2BC4A0',
    '#E7A1CA',
    '#F0C042',
    '#B39DDB',
    '#C8C84A',
    '#D7A58F',
    '#4FD1D1',
    '#FF6FB5',
    '#9BD86A',
    '#8FB1FF',
  ],
};

export interface ThemeColours {
  background: string;
  text: string;
  /** Tick labels, legend names: still 4.5:1 against the background. */
  muted: string;
  grid: string;
  axis: string;
  /** "Other", and series greyed out by a highlight. */
  other: string;
}

export const THEMES: Record<Theme, ThemeColours> = {
  light: {
    background: '#ffffff',
    text: '#111827',
    muted: '#4b5563',
    grid: '#e5e7eb',
    axis: '#6b7280',
    other: '#8a8f98',
  },
  dark: {
    background: '#0b1120',
    text: '#f3f4f6',
    muted: '#a3acb9',
    grid: '#1f2a44',
    axis: '#6b7280',
    other: '#7c8594',
  },
};

export const OTHER_SERIES = /^Other \([\d,]+ more\)$/;

/**
 * The colour of each series: its own from the spec if set, grey for "Other", else the palette.
 * `order` names series in the order they first took palette colours (the whole chart, before a
 * zoom re-ranked them): each keeps its colour, and series new to the view take the colours left.
 */
export function seriesColours(
  names: string[],
  theme: Theme,
  chosen: Record<string, string> = {},
  order: string[] = [],
): string[] {
  const palette = PALETTES[theme];
  const slots = new Map<string, number>();
  for (const name of order) {
    if (!chosen[name] && !OTHER_SERIES.test(name) && !slots.has(name)) slots.set(name, slots.size);
  }
  const taken = new Set(names.map((n) => (slots.get(n) ?? -1) % palette.length));
  // The colours no series in view keeps, in palette order; all of them again once used up.
  const spare = palette.map((_, i) => i).filter((i) => !taken.has(i));
  let next = 0;
  const free = () =>
    spare.length ? (spare[next++ % spare.length] as number) : next++ % palette.length;
  return names.map((name) => {
    const own = chosen[name];
    if (own) return own;
    if (OTHER_SERIES.test(name)) return THEMES[theme].other;
    return palette[(slots.get(name) ?? free()) % palette.length] as string;
  });
}

/** WCAG relative luminance of a #RRGGBB colour. */
export function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Text written on a mark of this colour: near-black or white, whichever reads better. */
export function inkOn(hex: string): string {
  if (!/^#[0-9a-fA-F]{6}$/.test(hex)) return '#111827';
  return contrast(hex, '#111827') >= contrast(hex, '#ffffff') ? '#111827' : '#ffffff';
}
