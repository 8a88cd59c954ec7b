/**
 * Text from users (titles, names, labels, category values) as SVG character data or attribute
 * values: markup characters escaped, and characters XML 1.0 forbids (most C0 controls, lone
 * surrogates, U+FFFE/U+FFFF) dropped, so a hostile name can neither add markup nor make the
 * document unparseable.
 */
const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

const FORBIDDEN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: dropping them is the point.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xml(text: string): string {
  return text.replace(FORBIDDEN, '').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Coordinates with two decimals: enough on any screen, and a smaller document. */
export const px = (n: number): string => String(Math.round(n * 100) / 100);
