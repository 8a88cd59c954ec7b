import {
  type DrawnChart,
  type ChartData as DrawnData,
  formatNumber,
  formatX,
} from '@chartroom/charts';
import type { components } from '@chartroom/client';

type ChartSpec = components['schemas']['ChartSpec'];
/** A saved chart's /data or a preview: what the renderer draws. */
type ChartData = DrawnData;

/** What the pointer reads: the chart as drawn now (its layout) and the data drawn. */
export interface Reading {
  spec: ChartSpec;
  data: ChartData;
  drawn: DrawnChart | undefined;
}

const isTime = (type: string) => type === 'date' || type === 'timestamp';

/** Charts drawn along a continuous x can be read point by point and zoomed. */
export const isReadable = (spec: ChartSpec, data: ChartData): boolean =>
  ['line', 'area', 'scatter'].includes(spec.type) &&
  ['date', 'timestamp', 'integer', 'number'].includes(data.x.type);

/** What a page says about the points it shows, when the API sampled them. */
export function samplingNote(data: ChartData): string {
  if (!data.downsampled) return '';
  const drawn = data.series.reduce((n, s) => n + s.points.length, 0);
  return `Showing ${drawn.toLocaleString('en')} of ${data.total_points.toLocaleString('en')} points, sampled to fit; zoom in to see every point of a range.`;
}
const toNumber = (type: string, value: unknown) =>
  isTime(type)
    ? Date.parse(String(value).length === 10 ? `${value}T00:00:00Z` : String(value))
    : Number(value);
/** An x as the API's `from`/`to` take it. */
const asParameter = (type: string, x: number) =>
  isTime(type) ? new Date(x).toISOString().slice(0, type === 'date' ? 10 : 24) : String(x);

/** The x values of the data, ascending, each with the original cell to format. */
function xsOf(data: ChartData): { at: number; cell: unknown }[] {
  const seen = new Map<number, unknown>();
  for (const s of data.series) {
    for (const p of s.points) {
      const at = toNumber(data.x.type, p[0]);
      if (Number.isFinite(at) && !seen.has(at)) seen.set(at, p[0]);
    }
  }
  return [...seen].map(([at, cell]) => ({ at, cell })).sort((a, b) => a.at - b.at);
}

/**
 * Reading values off a chart drawn along x (line, area, scatter): hover, tap or arrow keys
 * show the values at the nearest x, formatted as the chart formats them; dragging (mouse or
 * one finger) or pinching selects an x range, which the page then fetches at full resolution.
 */
export function attachInteraction(
  holder: HTMLElement,
  read: () => Reading,
  onZoom: (from: string, to: string) => void,
  /** Aborting it removes the listeners, before the chart is drawn again. */
  signal: AbortSignal,
): void {
  const tooltip = Object.assign(document.createElement('div'), {
    className: 'chart-tooltip',
    hidden: true,
  });
  tooltip.setAttribute('role', 'status');
  const selection = Object.assign(document.createElement('div'), {
    className: 'chart-selection',
    hidden: true,
  });
  holder.append(tooltip, selection);
  holder.style.position = 'relative';
  holder.style.touchAction = 'pan-y';
  holder.tabIndex = 0;
  // The page may explain the keys in words of its own; otherwise the chart says it, unseen.
  let keys = document.getElementById('chart-keys');
  if (!keys) {
    keys = Object.assign(document.createElement('span'), {
      id: 'chart-keys',
      className: 'visually-hidden',
      textContent: 'Use the left and right arrow keys to read the values, Escape to stop.',
    });
    holder.append(keys);
  }
  holder.setAttribute('aria-describedby', 'chart-keys');
  let xs = xsOf(read().data);
  let cursor = -1;

  /** The data x under a client position, from the plot's place in the drawing. */
  const dataX = (clientX: number): number | undefined => {
    const { drawn } = read();
    const svg = holder.querySelector(':scope > svg');
    if (!drawn?.plot || !drawn.xDomain || !svg) return undefined;
    const rect = svg.getBoundingClientRect();
    const view = ((clientX - rect.left) * drawn.width) / (rect.width || 1);
    const [d0, d1] = drawn.xDomain;
    return d0 + ((view - drawn.plot.x) / drawn.plot.w) * (d1 - d0);
  };
  const nearest = (x: number) => {
    let best = 0;
    for (let i = 1; i < xs.length; i++) {
      if (Math.abs((xs[i]?.at ?? 0) - x) < Math.abs((xs[best]?.at ?? 0) - x)) best = i;
    }
    return best;
  };

  function show(index: number, left: number, top: number) {
    const { data, spec } = read();
    const x = xs[index];
    if (!x) return;
    cursor = index;
    const number = { style: spec.format?.number ?? 'auto' } as const;
    // The series with a value at this x; a series without one here is not listed.
    const lines: string[] = [];
    for (const series of data.series) {
      const point = series.points.find((p) => toNumber(data.x.type, p[0]) === x.at);
      if (typeof point?.[1] === 'number')
        lines.push(`${series.name}: ${formatNumber(point[1], number)}`);
    }
    if (lines.length > 8) lines.splice(8, lines.length - 8, `${lines.length - 8} more`);
    const when = formatX(x.cell as string, data.x.type, spec.x.bucket);
    tooltip.textContent = `${when} · ${lines.join(' · ')}`;
    const rect = holder.getBoundingClientRect();
    tooltip.style.left = `${Math.min(Math.max(0, left + 12), Math.max(0, rect.width - 200))}px`;
    tooltip.style.top = `${Math.max(0, top - 44)}px`;
    tooltip.hidden = false;
  }
  const showAt = (clientX: number, clientY: number) => {
    const x = dataX(clientX);
    if (x === undefined || xs.length === 0) return;
    const rect = holder.getBoundingClientRect();
    show(nearest(x), clientX - rect.left, clientY - rect.top);
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
    xs = xsOf(read().data);
    pointers.set(event.pointerId, event.clientX);
    if (pointers.size === 1) start = event.clientX;
    showAt(event.clientX, event.clientY);
    holder.setPointerCapture(event.pointerId);
  });
  on('pointermove', (event) => {
    if (pointers.has(event.pointerId)) pointers.set(event.pointerId, event.clientX);
    if (pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      drawSelection(a as number, b as number);
    } else if (start !== undefined && pointers.size === 1) {
      if (Math.abs(event.clientX - start) > 12) drawSelection(start, event.clientX);
    } else {
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
    const [a, b] = positions.map((p) => dataX(p as number)).sort((m, n) => (m ?? 0) - (n ?? 0));
    const moved = Math.abs((positions[1] as number) - (positions[0] as number)) > 12;
    const low = xs[0]?.at;
    const high = xs.at(-1)?.at;
    if (moved && a !== undefined && b !== undefined && low !== undefined && high !== undefined) {
      const type = read().data.x.type;
      onZoom(asParameter(type, Math.max(low, a)), asParameter(type, Math.min(high, b)));
    }
  };
  on('pointerup', finish);
  on('pointercancel', finish);
  // A mouse leaving hides the values; a finger lifting keeps them until the next tap elsewhere.
  on('pointerleave', (event) => {
    if (pointers.size === 0 && event.pointerType === 'mouse') tooltip.hidden = true;
  });
  document.addEventListener(
    'pointerdown',
    (event) => {
      if (!holder.contains(event.target as Node)) tooltip.hidden = true;
    },
    { signal },
  );
  on('keydown', (event) => {
    xs = xsOf(read().data);
    const steps: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1 };
    let next: number | undefined;
    if (event.key in steps)
      next = Math.min(
        xs.length - 1,
        Math.max(0, Math.max(0, cursor) + (steps[event.key] as number)),
      );
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = xs.length - 1;
    else if (event.key === 'Escape') tooltip.hidden = true;
    if (next === undefined) return;
    event.preventDefault();
    const { drawn } = read();
    const x = xs[next];
    if (!drawn?.plot || !drawn.xDomain || !x) return;
    const [d0, d1] = drawn.xDomain;
    const left = drawn.plot.x + ((x.at - d0) / (d1 - d0 || 1)) * drawn.plot.w;
    show(next, left, drawn.plot.y + 44);
  });
  on('blur', () => {
    tooltip.hidden = true;
  });
}
