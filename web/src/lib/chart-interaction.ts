import {
  type DrawnChart,
  type ChartData as DrawnData,
  type Stop,
  wholeBuckets,
} from '@chartroom/charts';
import type { components } from '@chartroom/client';

type ChartSpec = components['schemas']['ChartSpec'];
/** A saved chart's /data or a preview: what the renderer draws. */
type ChartData = DrawnData;

/** Rows a tooltip lists before it says how many more there are: as many as colours tell apart. */
const MOST_ROWS = 12;
/** Movement past which a press is a drag (a zoom), not a tap. */
const DRAG_PX = 12;

const isTime = (type: string) => type === 'date' || type === 'timestamp';

/** Charts drawn along a continuous x can be zoomed into a range (every chart can be read). */
export const isZoomable = (spec: ChartSpec, data: ChartData): boolean =>
  ['line', 'area', 'scatter'].includes(spec.type) &&
  ['date', 'timestamp', 'integer', 'number'].includes(data.x.type);

/** What a page says about the points it shows, when the API sampled them. */
export function samplingNote(data: ChartData): string {
  if (!data.downsampled) return '';
  const drawn = data.series.reduce((n, s) => n + s.points.length, 0);
  return `Showing ${drawn.toLocaleString('en')} of ${data.total_points.toLocaleString('en')} points, sampled to fit; zoom in to see every point of a range.`;
}

/** An x as the API's `from`/`to` take it. */
const asParameter = (type: string, x: number) =>
  isTime(type) ? new Date(x).toISOString().slice(0, type === 'date' ? 10 : 24) : String(x);

export interface InteractionOptions {
  /** Aborting it removes the listeners. */
  signal: AbortSignal;
  /** Called with a dragged or pinched x range; without it the chart is read, not zoomed. */
  onZoom?: (from: string, to: string) => void;
  /** The x column's type, for the range's parameters. */
  xType?: string;
  /** The chart's time bucket: a zoom takes whole buckets, never part of one at either end. */
  bucket?: ChartSpec['x']['bucket'];
}

/** The stop a point of the drawing (px) falls on, by the chart's way of picking. */
function pick(drawn: DrawnChart, x: number, y: number): number {
  const reading = drawn.reading;
  if (!reading || reading.stops.length === 0) return -1;
  const { stops } = reading;
  if (reading.pick === 'angle' && reading.centre) {
    const [cx, cy] = reading.centre;
    let angle = Math.atan2(x - cx, cy - y);
    if (angle < 0) angle += 2 * Math.PI;
    const found = stops.findIndex((s) => s.angles && angle >= s.angles[0] && angle < s.angles[1]);
    return found;
  }
  const distance = (s: Stop) =>
    reading.pick === 'x'
      ? Math.abs(s.x - x)
      : reading.pick === 'y'
        ? Math.abs(s.y - y)
        : (s.x - x) ** 2 + (s.y - y) ** 2;
  let best = 0;
  for (let i = 1; i < stops.length; i++) {
    if (distance(stops[i] as Stop) < distance(stops[best] as Stop)) best = i;
  }
  return best;
}

function element(tag: string, className: string, text = ''): HTMLElement {
  return Object.assign(document.createElement(tag), { className, textContent: text });
}

/** The tooltip's content: the stop's title, then a line per series with its colour key. */
function fillTooltip(tooltip: HTMLElement, stop: Stop) {
  const parts: HTMLElement[] = [];
  if (stop.title) parts.push(element('strong', 'chart-tooltip-title', stop.title));
  const list = element('ul', 'chart-tooltip-rows');
  const shown = stop.rows.length > MOST_ROWS + 1 ? stop.rows.slice(0, MOST_ROWS) : stop.rows;
  for (const row of shown) {
    const item = element('li', row.name === 'Total' && !row.colour ? 'total' : '');
    const key = element('span', 'chart-tooltip-key');
    if (row.colour) key.style.background = row.colour;
    item.append(key, element('span', 'chart-tooltip-name', row.name));
    item.append(element('span', 'chart-tooltip-value', row.value));
    list.append(item);
  }
  if (shown.length < stop.rows.length) {
    list.append(element('li', 'more', `and ${stop.rows.length - shown.length} more`));
  }
  parts.push(list);
  tooltip.replaceChildren(...parts);
}

/**
 * Reading values off any chart: hover, tap (the values stay until a tap elsewhere) or arrow keys
 * show the values at the nearest stop the renderer named (an x, a bar, a dot, a slice), as the
 * chart formats them. On charts along a continuous x, dragging (mouse or one finger) or pinching
 * selects a range, which the page then fetches at full resolution.
 */
export function attachInteraction(
  holder: HTMLElement,
  drawn: () => DrawnChart | undefined,
  options: InteractionOptions,
): void {
  const { signal, onZoom } = options;
  const tooltip = element('div', 'chart-tooltip');
  tooltip.hidden = true;
  tooltip.setAttribute('role', 'status');
  const marker = element('div', 'chart-marker');
  marker.hidden = true;
  const selection = element('div', 'chart-selection');
  selection.hidden = true;
  holder.append(marker, tooltip, selection);
  holder.classList.add('chart-holder');
  holder.style.touchAction = onZoom ? 'pan-y' : 'manipulation';
  holder.tabIndex = 0;
  // The page may explain the keys in words of its own; otherwise the chart says it, unseen.
  let keys = document.getElementById('chart-keys');
  if (!keys) {
    keys = element(
      'span',
      'visually-hidden',
      'Use the arrow keys to read the values, Escape to stop.',
    );
    keys.id = 'chart-keys';
    holder.append(keys);
  }
  holder.setAttribute('aria-describedby', 'chart-keys');
  let cursor = -1;

  /** The chart as drawn, where its SVG is on screen, and the factor from drawing px to CSS px. */
  const frame = () => {
    const chart = drawn();
    const svg = holder.querySelector(':scope > svg');
    if (!chart || !svg) return undefined;
    const rect = svg.getBoundingClientRect();
    return { chart, rect, scale: (rect.width || chart.width) / chart.width };
  };

  /** The drawing's px under a client position. */
  const toDrawing = (clientX: number, clientY: number) => {
    const at = frame();
    if (!at) return undefined;
    const { chart, rect, scale } = at;
    return { chart, x: (clientX - rect.left) / scale, y: (clientY - rect.top) / scale };
  };

  function hide() {
    tooltip.hidden = true;
    marker.hidden = true;
  }

  function show(index: number) {
    const shown = frame();
    const stop = shown?.chart.reading?.stops[index];
    if (!shown || !stop) return hide();
    const { chart, rect, scale } = shown;
    cursor = index;
    fillTooltip(tooltip, stop);
    const box = holder.getBoundingClientRect();
    const at = { x: rect.left - box.left + stop.x * scale, y: rect.top - box.top + stop.y * scale };
    const plot = chart.plot;
    const kind = chart.reading?.pick;
    marker.className = `chart-marker ${kind === 'x' ? 'column' : kind === 'y' ? 'row' : 'dot'}`;
    if (kind === 'x' && plot) {
      Object.assign(marker.style, {
        left: `${at.x}px`,
        top: `${rect.top - box.top + plot.y * scale}px`,
        height: `${plot.h * scale}px`,
        width: '',
      });
    } else if (kind === 'y' && plot) {
      Object.assign(marker.style, {
        top: `${at.y}px`,
        left: `${rect.left - box.left + plot.x * scale}px`,
        width: `${plot.w * scale}px`,
        height: '',
      });
    } else {
      Object.assign(marker.style, { left: `${at.x}px`, top: `${at.y}px`, width: '', height: '' });
    }
    marker.hidden = false;
    tooltip.hidden = false;
    // Beside the stop, on the side with more room, and inside the chart: never under a finger.
    const width = tooltip.offsetWidth;
    const height = tooltip.offsetHeight;
    const right = at.x + 14;
    const left = at.x - 14 - width;
    const x = at.x < box.width / 2 ? right : left;
    tooltip.style.left = `${Math.max(0, Math.min(box.width - width, x))}px`;
    tooltip.style.top = `${Math.max(0, Math.min(box.height - height, at.y - height / 2))}px`;
  }

  const showAt = (clientX: number, clientY: number) => {
    const place = toDrawing(clientX, clientY);
    if (!place) return;
    const index = pick(place.chart, place.x, place.y);
    if (index < 0) hide();
    else show(index);
  };

  /** The data x (ms for time) under a client x, on a chart along a continuous x. */
  const dataX = (clientX: number): number | undefined => {
    const place = toDrawing(clientX, 0);
    const domain = place?.chart.xDomain;
    const plot = place?.chart.plot;
    if (!place || !domain || !plot) return undefined;
    return domain[0] + ((place.x - plot.x) / plot.w) * (domain[1] - domain[0]);
  };

  const pointers = new Map<number, number>();
  let start: number | undefined;
  const drawSelection = (a: number, b: number) => {
    const rect = holder.getBoundingClientRect();
    selection.style.left = `${Math.min(a, b) - rect.left}px`;
    selection.style.width = `${Math.abs(b - a)}px`;
    selection.hidden = false;
  };
  const on = <K extends keyof HTMLElementEventMap>(
    type: K,
    listener: (event: HTMLElementEventMap[K]) => void,
  ) => holder.addEventListener(type, listener, { signal });

  on('pointerdown', (event) => {
    pointers.set(event.pointerId, event.clientX);
    if (pointers.size === 1) start = event.clientX;
    showAt(event.clientX, event.clientY);
    if (onZoom) holder.setPointerCapture(event.pointerId);
  });
  on('pointermove', (event) => {
    if (pointers.has(event.pointerId)) pointers.set(event.pointerId, event.clientX);
    if (onZoom && pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      drawSelection(a as number, b as number);
    } else if (onZoom && start !== undefined && pointers.size === 1) {
      if (Math.abs(event.clientX - start) > DRAG_PX) drawSelection(start, event.clientX);
      else showAt(event.clientX, event.clientY);
    } else if (pointers.size === 0 || !onZoom) {
      showAt(event.clientX, event.clientY);
    }
  });
  const finish = (event: PointerEvent) => {
    const positions =
      pointers.size === 2 ? [...pointers.values()] : [start ?? event.clientX, event.clientX];
    pointers.delete(event.pointerId);
    if (pointers.size > 0) return;
    start = undefined;
    selection.hidden = true;
    if (!onZoom) return;
    const moved = Math.abs((positions[1] as number) - (positions[0] as number)) > DRAG_PX;
    const [a, b] = positions.map((p) => dataX(p as number)).sort((m, n) => (m ?? 0) - (n ?? 0));
    const domain = drawn()?.xDomain;
    if (moved && a !== undefined && b !== undefined && domain) {
      const type = options.xType ?? 'number';
      let [from, to] = [Math.max(domain[0], a), Math.min(domain[1], b)];
      if (options.bucket && isTime(type)) [from, to] = wholeBuckets(options.bucket, from, to);
      hide();
      onZoom(asParameter(type, from), asParameter(type, to));
    }
  };
  on('pointerup', finish);
  on('pointercancel', finish);
  // A mouse leaving hides the values; a finger lifting keeps them until the next tap elsewhere.
  on('pointerleave', (event) => {
    if (pointers.size === 0 && event.pointerType === 'mouse') hide();
  });
  // Leaving an embed's iframe fires no pointerleave on a chart that fills it.
  document.documentElement.addEventListener(
    'pointerleave',
    (event) => {
      if (event.pointerType === 'mouse' && pointers.size === 0) hide();
    },
    { signal },
  );
  document.addEventListener(
    'pointerdown',
    (event) => {
      if (!holder.contains(event.target as Node)) hide();
    },
    { signal },
  );
  on('keydown', (event) => {
    const count = drawn()?.reading?.stops.length ?? 0;
    const steps: Record<string, number> = {
      ArrowRight: 1,
      ArrowDown: 1,
      ArrowLeft: -1,
      ArrowUp: -1,
    };
    let next: number | undefined;
    if (event.key in steps) {
      next = cursor < 0 ? 0 : cursor + (steps[event.key] as number);
    } else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = count - 1;
    else if (event.key === 'Escape') hide();
    if (next === undefined || count === 0) return;
    event.preventDefault();
    show(Math.min(count - 1, Math.max(0, next)));
  });
  on('blur', hide);
}
