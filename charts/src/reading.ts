import { formatNumber } from './format.ts';
import { key, type Model, type Point } from './model.ts';

/** One line of what a reader sees at a stop: a series, its colour and its value as written. */
export interface StopRow {
  name: string;
  /** Empty for a line that belongs to no series (a stack's total). */
  colour: string;
  value: string;
}

/**
 * A place on the chart that can be read (an x of a line, a bar's category, a dot, a slice),
 * with its values already formatted as the chart formats them: the page shows them on hover,
 * tap and arrow keys without knowing how each kind of chart is drawn.
 */
export interface Stop {
  /** Where the stop is, in px of the drawing (the top of a column, the centre of a dot). */
  x: number;
  y: number;
  title: string;
  rows: StopRow[];
  /** A slice's start and end angle: radians clockwise from twelve o'clock. */
  angles?: [number, number];
}

export interface Reading {
  /**
   * How a pointer finds its stop: the nearest along x (columns of lines, areas, bars), along y
   * (horizontal bars), the nearest dot (scatter), or the slice under it (pie).
   */
  pick: 'x' | 'y' | 'point' | 'angle';
  /** In reading order: left to right, top to bottom, clockwise. */
  stops: Stop[];
  /** A pie's centre, in px of the drawing. */
  centre?: [number, number];
}

/** Where a series' point is drawn: along the category axis and across it (its value's end). */
export type Place = (series: number, point: Point) => [along: number, across: number] | undefined;

/**
 * One stop per x value of a chart drawn in columns, listing each series with a value there
 * (in legend order) and, for stacks, their total. `horizontal`: the columns run along y.
 */
export function columnStops(
  model: Model,
  place: Place,
  options: { horizontal?: boolean; total?: boolean } = {},
): Stop[] {
  const columns = new Map<string, { along: number; across: number[]; stop: Stop; sum: number }>();
  model.series.forEach((series, si) => {
    for (const point of series.points) {
      if (point.y === null) continue;
      const at = place(si, point);
      if (!at || !Number.isFinite(at[0]) || !Number.isFinite(at[1])) continue;
      const k = key(point.x);
      let column = columns.get(k);
      if (!column) {
        const stop: Stop = { x: 0, y: 0, title: model.xText(point.x), rows: [] };
        column = { along: at[0], across: [], stop, sum: 0 };
        columns.set(k, column);
      }
      column.across.push(at[1]);
      column.sum += point.y;
      column.stop.rows.push({
        name: series.name || model.data.series[si]?.name || 'Value',
        colour: series.colour,
        value: formatNumber(point.y, model.number),
      });
    }
  });
  const stops = [...columns.values()].sort((a, b) => a.along - b.along);
  return stops.map(({ along, across, stop, sum }) => {
    if (options.total && stop.rows.length > 1) {
      stop.rows.push({ name: 'Total', colour: '', value: formatNumber(sum, model.number) });
    }
    // The end of the longest bar, the highest point: where the reader's eye already is.
    return options.horizontal
      ? { ...stop, x: across.reduce((a, b) => Math.max(a, b)), y: along }
      : { ...stop, x: along, y: across.reduce((a, b) => Math.min(a, b)) };
  });
}
