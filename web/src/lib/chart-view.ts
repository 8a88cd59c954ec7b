import { type DrawnChart, type ChartData as DrawnData, drawChart } from '@chartroom/charts';
import type { components } from '@chartroom/client';
import { sanitiseSvg } from './svg-sanitiser';

type ChartSpec = components['schemas']['ChartSpec'];
/** A saved chart's /data or a preview: what the renderer draws. */
type ChartData = DrawnData;

export interface ChartView {
  /** The chart as last drawn, with its layout (for reading pointer positions). */
  drawn(): DrawnChart | undefined;
  /** Draws other data (a zoomed range) in the same place. */
  update(data: ChartData): void;
  /** The drawing as a file of its own, at a size and in a theme of its own (downloads). */
  file(width: number, height: number, theme: 'light' | 'dark'): string;
  stop(): void;
}

export interface ViewOptions {
  title: string;
  description?: string;
  /** Whether the title is drawn in the picture (the chart page has its own heading). */
  heading?: boolean;
  /** A card's picture: kept to the card's shape, however many bars it has. */
  thumbnail?: boolean;
  /** Called after each drawing, with the SVG element now in the page. */
  onDraw?: (drawn: DrawnChart, svg: SVGSVGElement) => void;
}

/**
 * Points a page asks the API for: enough for a scatter of a few thousand rows unsampled; the
 * renderer draws 2,000 points in a few milliseconds, so this costs the reader little.
 */
export const POINTS_DRAWN = 5000;

let views = 0;
const darkScheme = () => window.matchMedia('(prefers-color-scheme: dark)');

/**
 * Wide screens draw 16:9; phones taller, so the plot keeps room below a wrapped legend, and a
 * pie taller still: on a phone its legend (each slice's name and share) runs to many lines.
 */
export function heightFor(width: number, type?: ChartSpec['type'], barRows = 0): number {
  const narrow = width < 560 ? width * (type === 'pie' ? 1.2 : 0.9) : width * 0.5625;
  const usual = Math.min(640, Math.max(260, narrow));
  // Horizontal bars take a line per category, so that every one is named beside its bar.
  return Math.round(Math.min(1400, Math.max(usual, barRows * 22 + 140)));
}

/** How many categories a horizontal bar chart lays down the page (0 for any other chart). */
function barRowsOf(spec: ChartSpec, data: ChartData): number {
  if (spec.type !== 'bar' || spec.bar?.orientation !== 'horizontal') return 0;
  return data.series.reduce((most, s) => Math.max(most, s.points.length), 0);
}

/**
 * Draws a chart into `holder` at the holder's real width, in the page's theme, and again
 * whenever either changes: text keeps its size on every screen, and no picture is fetched.
 */
export function mountChart(
  holder: HTMLElement,
  spec: ChartSpec,
  data: ChartData,
  options: ViewOptions,
): ChartView {
  const prefix = `chart${++views}`;
  holder.classList.add('chart-holder');
  let current = data;
  // Colours stay with their series when a zoom brings other series into view.
  const colourOrder = data.series.map((s) => String(s.name));
  let last: DrawnChart | undefined;
  let drawnWidth = 0;
  const render = (width: number, height: number, theme: 'light' | 'dark', standalone = false) =>
    drawChart(spec, current, {
      width,
      height,
      theme,
      title: options.title,
      heading: standalone || options.heading !== false,
      description: options.description,
      idPrefix: prefix,
      standalone,
      colourOrder,
    });
  const draw = () => {
    const width = Math.floor(holder.clientWidth);
    if (width <= 0) return;
    drawnWidth = width;
    last = render(
      width,
      heightFor(width, spec.type, options.thumbnail ? 0 : barRowsOf(spec, current)),
      darkScheme().matches ? 'dark' : 'light',
    );
    // The renderer escapes every text it draws; the sanitiser is a second wall, not the first.
    const svg = sanitiseSvg(last.svg, holder.ownerDocument);
    if (!svg) return;
    const previous = holder.querySelector(':scope > svg');
    if (previous) previous.replaceWith(svg);
    else holder.prepend(svg);
    options.onDraw?.(last, svg);
  };
  const observer = new ResizeObserver(() => {
    if (Math.floor(holder.clientWidth) !== drawnWidth) draw();
  });
  observer.observe(holder);
  const scheme = darkScheme();
  scheme.addEventListener('change', draw);
  draw();
  return {
    drawn: () => last,
    update(next) {
      current = next;
      draw();
    },
    file: (width, height, theme) => render(width, height, theme, true).svg,
    stop() {
      observer.disconnect();
      scheme.removeEventListener('change', draw);
    },
  };
}
