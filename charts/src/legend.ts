import { el, text } from './svg.ts';
import { fitText, textWidth } from './text-width.ts';

export interface LegendItem {
  name: string;
  colour: string;
  /** Greyed out by a highlight: still named, drawn quieter. */
  muted?: boolean;
}

export interface Legend {
  height: number;
  draw: (x: number, y: number) => string;
}

const SWATCH = 12;
const AFTER_SWATCH = 6;
const BETWEEN = 16;
/** Names are spaced as if this much wider than estimated: wider fonts must not reach the next swatch. */
const SPACING = 1.05;

/**
 * Every item, left to right, wrapping onto as many lines as they need within `width`; a name
 * longer than a whole line is cut with an ellipsis. Only if the lines would take more than
 * `maxHeight` does the last line end in "+n more" (a chart has at most a few dozen series, so
 * this guards against hostile data rather than shaping real charts).
 */
export function layoutLegend(
  items: LegendItem[],
  width: number,
  options: { fontSize: number; maxHeight: number; colour: string },
): Legend {
  const { fontSize } = options;
  const lineHeight = Math.round(fontSize * 1.6);
  const maxLines = Math.max(1, Math.floor(options.maxHeight / lineHeight));
  const nameRoom = Math.max(20, width - SWATCH - AFTER_SWATCH);
  const placed: { item: LegendItem; label: string; x: number; line: number }[] = [];
  let x = 0;
  let line = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as LegendItem;
    const label = fitText(item.name, fontSize, nameRoom);
    const size = SWATCH + AFTER_SWATCH + textWidth(label, fontSize) * SPACING;
    if (x > 0 && x + size > width) {
      line++;
      x = 0;
    }
    if (line >= maxLines) {
      // No room for the rest: say how many are not named rather than dropping them silently.
      // The last item named gives its place to the count (it is among those not named).
      const last = placed.at(-1);
      if (last) {
        last.label = `+${items.length - i + 1} more`;
        last.item = { name: last.label, colour: 'none' };
      }
      break;
    }
    placed.push({ item, label, x, line });
    x += size + BETWEEN;
  }
  const lines = placed.length ? (placed.at(-1)?.line ?? 0) + 1 : 0;
  return {
    height: lines * lineHeight,
    draw: (left, top) =>
      el(
        'g',
        { class: 'legend' },
        placed
          .map(({ item, label, x: at, line: row }) => {
            const y = top + row * lineHeight;
            const swatch =
              item.colour === 'none'
                ? ''
                : el('rect', {
                    x: left + at,
                    y: y + (lineHeight - SWATCH) / 2,
                    width: SWATCH,
                    height: SWATCH,
                    rx: 2,
                    fill: item.colour,
                    'fill-opacity': item.muted ? 0.5 : undefined,
                  });
            const name = text(
              left + at + (item.colour === 'none' ? 0 : SWATCH + AFTER_SWATCH),
              y + lineHeight / 2 + fontSize * 0.35,
              label,
              { 'font-size': fontSize, fill: options.colour },
            );
            return swatch + name;
          })
          .join(''),
      ),
  };
}
