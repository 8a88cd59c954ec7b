/**
 * Puts a server-drawn chart into the page as inline SVG (not an <img>): its <title> tooltips
 * work, and it scales to its container's width.
 */
export function inlineSvg(holder: HTMLElement, document: string): SVGSVGElement | null {
  holder.innerHTML = document.replace(/^<\?xml[^>]*>\s*/, '');
  const svg = holder.querySelector('svg');
  svg?.setAttribute('width', '100%');
  svg?.removeAttribute('height');
  return svg;
}
