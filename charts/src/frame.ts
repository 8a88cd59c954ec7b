import { fitText, textWidth } from './text-width.ts';

/** Text sizes in CSS px at the size drawn: the picture is drawn at its real width, never scaled. */
export const FONT = { tick: 12, legend: 12, axisTitle: 12, note: 12 } as const;
export const titleFont = (width: number): number => (width < 480 ? 16 : 18);
/** Room around the picture: less on a phone, where every pixel of plot counts. */
export const padding = (width: number): number => (width < 480 ? 10 : 16);

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * Bold titles are measured this much wider than the regular widths the estimate knows: bold
 * adds a tenth, and DejaVu Sans (what Debian's Chromium draws system-ui with) is wider still
 * than Helvetica. A title wrapped a word early reads fine; one cut by the picture's edge does not.
 */
export const BOLD = 1.2;

/**
 * Words over as many lines as `maxLines` allows; the last line cut with an ellipsis. `fontSize`
 * is the size measured with (a bold title passes its size × BOLD).
 */
export function wrapText(content: string, fontSize: number, width: number, maxLines: number) {
  const words = content.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    const next = line ? `${line} ${word}` : word;
    if (textWidth(next, fontSize) <= width || !line) {
      line = next;
      continue;
    }
    if (lines.length === maxLines - 1) {
      line = `${line} ${words.slice(i).join(' ')}`;
      break;
    }
    lines.push(line);
    line = word;
  }
  if (line) lines.push(line);
  return lines.map((l) => fitText(l, fontSize, width));
}
