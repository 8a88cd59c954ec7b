/**
 * Bounds on what one chart answer holds, whatever the data: a series column with 86,000 values
 * or an x column with 100,000 categories must not become 86,000 lines or 100,000 bars (nobody can
 * read them, and drawing them costs the server). The largest are kept and the rest folded.
 */
type Cell = string | number | boolean | null;
export type Point = Cell[];

/** One value of the series column (or the whole chart, without one): its points per measure. */
export interface Group {
  name: string;
  /** Points of each measure, in x order. */
  measures: Point[][];
}

/**
 * How the values of folded series or categories combine at one x: counts and sums add up; rows
 * plotted as they are (aggregate `none`) merge; averages, medians, minima and maxima of parts do
 * not make the whole, so those are left out rather than shown wrong.
 */
export type Fold = 'add' | 'merge' | 'drop';

const compareX = (a: Cell, b: Cell): number => {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
};

const magnitude = (points: Point[]) => {
  let total = 0;
  for (const point of points) total += Math.abs(Number(point[1]) || 0);
  return total;
};

/** How much a group or category weighs when choosing which to keep: its rows, or its values. */
const weightOf = (measures: Point[][], fold: Fold) =>
  measures.reduce((sum, points) => sum + (fold === 'merge' ? points.length : magnitude(points)), 0);

function combinePoints(lists: Point[][], fold: Fold): Point[] {
  if (fold === 'merge') return lists.flat().sort((a, b) => compareX(a[0] ?? null, b[0] ?? null));
  const sums = new Map<Cell, number>();
  for (const points of lists) {
    for (const [x = null, y] of points) {
      if (y === null || y === undefined) continue;
      sums.set(x, (sums.get(x) ?? 0) + Number(y));
    }
  }
  return [...sums].sort((a, b) => compareX(a[0], b[0])).map(([x, y]) => [x, y]);
}

/** At most `max` groups: the heaviest, in their first order, and one "Other" for the rest. */
export function limitGroups(
  groups: Group[],
  max: number,
  fold: Fold,
): { groups: Group[]; folded: number } {
  if (groups.length <= max) return { groups, folded: 0 };
  const weights = new Map(groups.map((g) => [g, weightOf(g.measures, fold)]));
  const ranked = [...groups].sort(
    (a, b) => (weights.get(b) ?? 0) - (weights.get(a) ?? 0) || compareX(a.name, b.name),
  );
  const keep = fold === 'drop' ? max : max - 1;
  const kept = new Set(ranked.slice(0, keep));
  const rest = ranked.slice(keep);
  const result = groups.filter((g) => kept.has(g));
  if (fold !== 'drop') {
    const measures = (groups[0]?.measures ?? []).map((_, m) =>
      combinePoints(
        rest.map((g) => g.measures[m] ?? []),
        fold,
      ),
    );
    result.push({ name: `Other (${rest.length.toLocaleString('en')} more)`, measures });
  }
  return { groups: result, folded: rest.length };
}

/**
 * At most `max` distinct x values over all groups. Categories with no order of their own (text,
 * booleans) keep the heaviest and fold the rest into one "Other" category; ordered ones (dates,
 * numbers) keep the first `max` in x order, as a cut at one end of an axis reads honestly.
 */
export function limitCategories(
  groups: Group[],
  max: number,
  fold: Fold,
  ordered: boolean,
): { groups: Group[]; folded: number } {
  const weights = new Map<Cell, number>();
  for (const group of groups) {
    for (const points of group.measures) {
      for (const [x = null, y] of points) {
        const weight = fold === 'merge' ? 1 : Math.abs(Number(y) || 0);
        weights.set(x, (weights.get(x) ?? 0) + weight);
      }
    }
  }
  if (weights.size <= max) return { groups, folded: 0 };
  const all = [...weights.keys()];
  const chosen = ordered
    ? all.sort(compareX).slice(0, max)
    : all
        .sort((a, b) => (weights.get(b) ?? 0) - (weights.get(a) ?? 0) || compareX(a, b))
        .slice(0, fold === 'add' ? max - 1 : max);
  const kept = new Set(chosen);
  const folded = weights.size - kept.size;
  const other = `Other (${folded.toLocaleString('en')} more)`;
  return {
    folded,
    groups: groups.map((group) => ({
      name: group.name,
      measures: group.measures.map((points) => {
        const inside = points.filter((p) => kept.has(p[0] ?? null));
        if (ordered || fold !== 'add') return inside;
        const rest = combinePoints(
          [points.filter((p) => !kept.has(p[0] ?? null)).map((p) => [other, p[1] ?? null])],
          'add',
        );
        return [...inside, ...rest];
      }),
    })),
  };
}
