/**
 * Turns SVG text from the network into SVG elements that can only draw: whatever answered (the
 * API, or something a crafted URL reached instead) may hold script, event handlers, links or
 * HTML. The text is parsed as XML, never as HTML, and rebuilt element by element from an
 * allowlist, so nothing unknown is copied across. Kept apart from the pages so a client-side
 * renderer can replace the server's SVG without touching it.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';

/**
 * Shapes, text and paint servers. No `script`, `foreignObject` (HTML inside SVG), `a`, `use` and
 * `image` (they load or link), `style` (CSS can load URLs), `animate`/`set` (they can rewrite
 * attributes after the check), `filter`/`mask`/`pattern` (not needed).
 */
const ELEMENTS = new Set([
  'svg',
  'g',
  'path',
  'rect',
  'circle',
  'ellipse',
  'line',
  'polyline',
  'polygon',
  'text',
  'tspan',
  'title',
  'desc',
  'defs',
  'clipPath',
  'linearGradient',
  'radialGradient',
  'stop',
]);

/** Geometry, paint, text and accessibility. No `on*`, no `style`; `href` only as `#id`. */
const ATTRIBUTES = new Set([
  'viewBox',
  'preserveAspectRatio',
  'width',
  'height',
  'x',
  'y',
  'x1',
  'y1',
  'x2',
  'y2',
  'cx',
  'cy',
  'r',
  'rx',
  'ry',
  'fx',
  'fy',
  'dx',
  'dy',
  'd',
  'points',
  'transform',
  'fill',
  'fill-opacity',
  'fill-rule',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-linejoin',
  'stroke-linecap',
  'stroke-dasharray',
  'stroke-dashoffset',
  'stroke-miterlimit',
  'opacity',
  'clip-path',
  'clip-rule',
  'clipPathUnits',
  'gradientUnits',
  'gradientTransform',
  'spreadMethod',
  'offset',
  'stop-color',
  'stop-opacity',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'text-anchor',
  'dominant-baseline',
  'shape-rendering',
  'vector-effect',
  'role',
  'aria-label',
  'aria-labelledby',
  'aria-describedby',
  'aria-hidden',
  'id',
  'class',
]);

/** Attributes that name other elements by id: rewritten with the document's id prefix. */
const ID_LISTS = new Set(['aria-labelledby', 'aria-describedby']);

/** CSS-like functions a value may call: colours and transforms. `url()` only as `url(#id)`. */
const FUNCTIONS = new Set([
  'url',
  'rgb',
  'rgba',
  'hsl',
  'hsla',
  'matrix',
  'translate',
  'scale',
  'rotate',
  'skewx',
  'skewy',
]);

const LOCAL_REF = /^#([\w.-]+)$/;
const LOCAL_URL = /url\(\s*#([\w.-]+)\s*\)/g;

/** More elements than any chart the API draws (2,000 points with tooltips): refuse, not freeze. */
const MAX_ELEMENTS = 50_000;

/** Plain text for assistive technology: never read as CSS or a URL, so not checked as one. */
const TEXT_ATTRIBUTES = new Set(['aria-label']);

/** Values with a backslash (a CSS escape), a scheme or an unknown function could hide a URL. */
function safeValue(value: string): boolean {
  if (value.includes('\\') || /javascript:|data:/i.test(value)) return false;
  for (const [, name = '', argument = ''] of value.matchAll(/([a-z-]*)\s*\(([^)]*)\)?/gi)) {
    const fn = name.toLowerCase();
    if (!FUNCTIONS.has(fn)) return false;
    if (fn === 'url' && !/^\s*#[\w.-]+\s*$/.test(argument)) return false;
  }
  return true;
}

let documents = 0;

/**
 * The `<svg>` element of `text`, rebuilt in `target` from the allowlists, or null when the text
 * is not an SVG document (not XML, another root, too big). Ids get a prefix of their own, so a
 * drawing cannot take the id of one of the page's elements, nor clash with another drawing.
 */
export function sanitiseSvg(text: string, target: Document = document): SVGSVGElement | null {
  const parsed = new DOMParser().parseFromString(text, 'image/svg+xml');
  const root = parsed.documentElement;
  if (root.namespaceURI !== SVG_NS || root.localName !== 'svg') return null;
  if (parsed.getElementsByTagNameNS('*', 'parsererror').length > 0) return null;
  if (parsed.getElementsByTagName('*').length > MAX_ELEMENTS) return null;
  const prefix = `svg${++documents}-`;
  const withPrefix = (id: string) => `${prefix}${id}`;

  function copyAttributes(from: Element, to: Element) {
    for (const attribute of Array.from(from.attributes)) {
      const { localName: name, value, namespaceURI } = attribute;
      const isHref = name === 'href' && (namespaceURI === null || namespaceURI === XLINK_NS);
      if (isHref) {
        const ref = LOCAL_REF.exec(value.trim())?.[1];
        if (ref) to.setAttribute('href', `#${withPrefix(ref)}`);
        continue;
      }
      if (namespaceURI !== null || !ATTRIBUTES.has(name)) continue;
      if (!TEXT_ATTRIBUTES.has(name) && !safeValue(value)) continue;
      if (name === 'id') to.setAttribute(name, withPrefix(value));
      else if (ID_LISTS.has(name))
        to.setAttribute(name, value.split(/\s+/).filter(Boolean).map(withPrefix).join(' '));
      else
        to.setAttribute(
          name,
          value.replace(LOCAL_URL, (_, id: string) => `url(#${withPrefix(id)})`),
        );
    }
  }

  function copy(from: Element): SVGElement | null {
    if (from.namespaceURI !== SVG_NS || !ELEMENTS.has(from.localName)) return null;
    const to = target.createElementNS(SVG_NS, from.localName) as SVGElement;
    copyAttributes(from, to);
    for (const child of Array.from(from.childNodes)) {
      // Text and CDATA become plain text; comments and processing instructions are left out.
      if (child.nodeType === Node.TEXT_NODE || child.nodeType === Node.CDATA_SECTION_NODE) {
        to.append(target.createTextNode(child.nodeValue ?? ''));
      } else if (child.nodeType === Node.ELEMENT_NODE) {
        const element = copy(child as Element);
        if (element) to.append(element);
      }
    }
    return to;
  }

  return copy(root) as SVGSVGElement;
}
