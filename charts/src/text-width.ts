/**
 * How wide a text is drawn, without a DOM to measure it: advance widths of a common sans-serif
 * (Helvetica/Arial metrics, in em) per character class. System UI fonts are within a few per
 * cent of them; layout adds a margin for the rest. Used to choose tick counts and to place
 * legends so that no two labels overlap.
 */
const NARROW = new Set([..."iljI.,:;!|'`"]);
const SLIM = new Set([...'frt()[]{}/\\- ']);
const WIDE = new Set([...'mwMW@%']);
const UPPER_WIDE = new Set([...'CDGHNOQRUV&']);

function advance(char: string): number {
  if (NARROW.has(char)) return 0.25;
  if (SLIM.has(char)) return 0.33;
  if (WIDE.has(char)) return 0.88;
  if (char >= '0' && char <= '9') return 0.56;
  if (UPPER_WIDE.has(char)) return 0.72;
  if (char >= 'A' && char <= 'Z') return 0.66;
  if (char >= 'a' && char <= 'z') return 0.54;
  // Other scripts (CJK, emoji) are mostly wider than Latin letters.
  return char.charCodeAt(0) > 0x2e80 ? 1 : 0.6;
}

/**
 * The widths above are Helvetica's; DejaVu Sans, which Linux browsers draw system-ui with, is
 * about a tenth wider. Layout measures with the wider one: a label placed with room to spare
 * reads fine in a narrower font, one placed too tight is cut or collides in a wider one.
 */
const WIDEST_FONT = 1.1;

export function textWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const char of text) em += advance(char);
  return em * fontSize * WIDEST_FONT;
}

/** The text cut to fit `width` (with an ellipsis), whole characters only. */
export function fitText(text: string, fontSize: number, width: number): string {
  if (textWidth(text, fontSize) <= width) return text;
  const chars = [...text];
  let used = textWidth('…', fontSize);
  let end = 0;
  while (end < chars.length) {
    const next = used + advance(chars[end] as string) * fontSize * WIDEST_FONT;
    if (next > width) break;
    used = next;
    end++;
  }
  return `${chars.slice(0, end).join('').trimEnd()}…`;
}
