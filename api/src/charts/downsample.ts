type Cell = string | number | boolean | null;

/**
 * Keeps a series' shape with at most `budget` points: the first and last, and in each of equal
 * slices between them the lowest and highest point, in x order. Peaks and troughs survive.
 */
export function downsampleMinMax(points: Cell[][], budget: number): Cell[][] {
  if (points.length <= budget) return points;
  // Too small a budget for any slice: the ends alone still span the range.
  if (budget < 4) return [points[0] as Cell[], points[points.length - 1] as Cell[]];
  const interior = points.length - 2;
  const buckets = Math.floor((budget - 2) / 2);
  const kept: Cell[][] = [points[0] as Cell[]];
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * interior) / buckets);
    const end = 1 + Math.floor(((b + 1) * interior) / buckets);
    let low = start;
    let high = start;
    for (let i = start; i < end; i++) {
      const y = Number((points[i] as Cell[])[1]);
      if (y < Number((points[low] as Cell[])[1])) low = i;
      if (y > Number((points[high] as Cell[])[1])) high = i;
    }
    if (end > start) {
      for (const i of low === high ? [low] : [Math.min(low, high), Math.max(low, high)])
        kept.push(points[i] as Cell[]);
    }
  }
  kept.push(points[points.length - 1] as Cell[]);
  return kept;
}

/** Every n-th point, for scatters, where no point stands for its neighbours. */
export function stride(points: Cell[][], budget: number): Cell[][] {
  if (points.length <= budget) return points;
  const step = points.length / budget;
  return Array.from({ length: budget }, (_, i) => points[Math.floor(i * step)] as Cell[]);
}
