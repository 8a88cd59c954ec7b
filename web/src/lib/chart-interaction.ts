import type { components } from '@chartroom/client';

type ChartData = components['schemas']['ChartData'];

/** The server draws at this width, with these margins (api/src/charts/chart-svg.ts). */
const WIDTH = 960;
const LEFT = 64;
const RIGHT = 20;

const isTime = (type: string) => type === 'date' || type === 'timestamp';

/**
 * Tooltips and zoom over a server-drawn chart: hover or tap shows the values nearest that x;
 * dragging (mouse or one finger) or pinching (two fingers) selects an x range, which the page
 * then fetches again from the server at full resolution.
 */
export function attachInteraction(
  holder: HTMLElement,
  data: ChartData,
  onZoom: (from: string, to: string) => void,
  /** Aborting it removes the listeners, before the chart is drawn again. */
  signal: AbortSignal,
): void {
  const toNumber = (value: unknown) =>
    isTime(data.x.type)
      ? Date.parse(String(value).length === 10 ? `${value}T00:00:00Z` : String(value))
      : Number(value);
  const xs = data.series.flatMap((s) => s.points.map((p) => toNumber(p[0])));
  if (xs.length < 2) return;
  const low = Math.min(...xs);
  const high = Math.max(...xs);
  const format = (x: number) =>
    isTime(data.x.type)
      ? new Date(x).toISOString().slice(0, data.x.type === 'date' ? 10 : 24)
      : String(x);

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

  const plotX = (clientX: number) => {
    const rect = holder.getBoundingClientRect();
    return ((clientX - rect.left) * WIDTH) / rect.width;
  };
  const dataX = (viewX: number) => low + ((viewX - LEFT) / (WIDTH - LEFT - RIGHT)) * (high - low);

  function showTooltip(clientX: number, clientY: number) {
    const x = dataX(plotX(clientX));
    const lines = data.series.map((series) => {
      let best = series.points[0];
      for (const point of series.points) {
        if (Math.abs(toNumber(point[0]) - x) < Math.abs(toNumber(best?.[0]) - x)) best = point;
      }
      return { label: `${series.name}: ${best?.[1] ?? '–'}`, x: best?.[0] };
    });
    tooltip.textContent = `${String(lines[0]?.x ?? '')} · ${lines.map((l) => l.label).join(' · ')}`;
    const rect = holder.getBoundingClientRect();
    tooltip.style.left = `${Math.min(Math.max(0, clientX - rect.left + 12), rect.width - 180)}px`;
    tooltip.style.top = `${Math.max(0, clientY - rect.top - 40)}px`;
    tooltip.hidden = false;
  }

  const pointers = new Map<number, number>();
  let start: number | undefined;
  const draw = (a: number, b: number) => {
    const rect = holder.getBoundingClientRect();
    selection.style.left = `${Math.min(a, b) - rect.left}px`;
    selection.style.width = `${Math.abs(b - a)}px`;
    selection.hidden = false;
  };

  holder.addEventListener(
    'pointerdown',
    (event) => {
      pointers.set(event.pointerId, event.clientX);
      if (pointers.size === 1) start = event.clientX;
      showTooltip(event.clientX, event.clientY);
      holder.setPointerCapture(event.pointerId);
    },
    { signal },
  );
  holder.addEventListener(
    'pointermove',
    (event) => {
      if (pointers.has(event.pointerId)) pointers.set(event.pointerId, event.clientX);
      if (pointers.size === 2) {
        const [a, b] = [...pointers.values()];
        draw(a as number, b as number);
      } else if (start !== undefined && pointers.size === 1) {
        draw(start, event.clientX);
      } else {
        showTooltip(event.clientX, event.clientY);
      }
    },
    { signal },
  );
  const finish = (event: PointerEvent) => {
    const positions =
      pointers.size === 2 ? [...pointers.values()] : [start ?? event.clientX, event.clientX];
    pointers.delete(event.pointerId);
    if (pointers.size > 0) return;
    start = undefined;
    selection.hidden = true;
    const [a, b] = positions.map((p) => dataX(plotX(p as number))).sort((m, n) => m - n);
    if (
      Math.abs((positions[1] as number) - (positions[0] as number)) > 12 &&
      a !== undefined &&
      b !== undefined
    ) {
      onZoom(format(Math.max(low, a)), format(Math.min(high, b)));
    }
  };
  holder.addEventListener('pointerup', finish, { signal });
  holder.addEventListener('pointercancel', finish, { signal });
  holder.addEventListener(
    'pointerleave',
    () => {
      if (pointers.size === 0) tooltip.hidden = true;
    },
    { signal },
  );
}
