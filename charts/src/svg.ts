import { px, xml } from './escape.ts';

/** Attribute values: numbers are rounded to hundredths, text escaped, absent ones left out. */
export type Attrs = Record<string, string | number | undefined | null | false>;

/** One SVG element as text; `children` is markup already built with these helpers. */
export function el(name: string, attrs: Attrs, children = ''): string {
  let out = `<${name}`;
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    out += ` ${key}="${typeof value === 'number' ? px(value) : xml(value)}"`;
  }
  return children ? `${out}>${children}</${name}>` : `${out}/>`;
}

export const text = (x: number, y: number, content: string, attrs: Attrs = {}): string =>
  el('text', { x, y, ...attrs }, xml(content));

/** The native tooltip of a mark, read by screen readers and shown on hover in any viewer. */
export const tip = (content: string): string => `<title>${xml(content)}</title>`;

/** A finite number for a coordinate; anything else (NaN from odd data) pins to 0. */
export const finite = (n: number): number => (Number.isFinite(n) ? n : 0);
