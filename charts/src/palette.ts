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
    '#008A64',
    '#B8588F',
    '#A66F00',
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

/** The colour of each series: its own from the spec if set, grey for "Other", else the palette. */
export function seriesColours(
  names: string[],
  theme: Theme,
  chosen: Record<string, string> = {},
): string[] {
  const palette = PALETTES[theme];
  let next = 0;
  return names.map((name) => {
    const own = chosen[name];
    if (own) return own;
    if (OTHER_SERIES.test(name)) return THEMES[theme].other;
    return palette[next++ % palette.length] as string;
  });
}
