import { sanitiseSvg } from './svg-sanitiser';

/**
 * Puts a drawn chart into the page as inline SVG (not an <img>): its <title> tooltips work, and
 * it scales to its container's width. Only the sanitised drawing goes in, never the text; when
 * the text is not an SVG drawing, the holder says so in words and null is returned.
 */
export function inlineSvg(holder: HTMLElement, text: string): SVGSVGElement | null {
  const svg = sanitiseSvg(text, holder.ownerDocument);
  if (!svg) {
    holder.replaceChildren(
      Object.assign(document.createElement('p'), { textContent: 'This chart could not be shown.' }),
    );
    return null;
  }
  svg.setAttribute('width', '100%');
  svg.removeAttribute('height');
  holder.replaceChildren(svg);
  return svg;
}

/** The sanitised drawing as a standalone SVG file at its own size, for downloads and the PNG. */
export function svgFile(text: string): string | null {
  const svg = sanitiseSvg(text);
  // An element in the SVG namespace serialises with its xmlns declaration.
  return (
    svg && `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(svg)}`
  );
}
