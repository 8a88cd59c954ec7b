// The benchmark's one table: each figure beside its baseline, their ratio and the target.

export interface Figure {
  name: string;
  value: string;
  baseline: string;
  /** What the target is stated in: a speed-up, a share of the baseline's speed, or a time ratio. */
  ratio: number;
  target: string;
  ok: boolean;
}

const HEADINGS = ['', 'Measurement', 'Value', 'Baseline', 'Ratio', 'Target'];

/** Three decimals below 10: rounded to two, 0.5991 would read as meeting a 0.6 target. */
function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '—';
  if (ratio >= 100) return `${ratio.toFixed(0)}×`;
  return ratio >= 10 ? `${ratio.toFixed(1)}×` : `${ratio.toFixed(3)}×`;
}

/** Prints the figures as aligned columns; answers whether every target was met. */
export function printTable(title: string, figures: Figure[], notes: string[] = []): boolean {
  const rows = figures.map((f) => [
    f.ok ? 'ok' : 'MISS',
    f.name,
    f.value,
    f.baseline,
    formatRatio(f.ratio),
    f.target,
  ]);
  const widths = HEADINGS.map((heading, i) =>
    Math.max(heading.length, ...rows.map((row) => (row[i] as string).length)),
  );
  const line = (cells: string[]) =>
    `  ${cells
      .map((cell, i) => (i === 4 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join(' │ ')
      .trimEnd()}`;
  console.log(`\n${title}`);
  console.log(line(HEADINGS));
  console.log(`  ${widths.map((w) => '─'.repeat(w)).join('─┼─')}`);
  for (const row of rows) console.log(line(row));
  for (const note of notes) console.log(`  * ${note}`);
  const missed = figures.filter((f) => !f.ok).length;
  console.log(
    missed
      ? `  ${missed} of ${figures.length} targets missed.`
      : `  All ${figures.length} targets met.`,
  );
  return missed === 0;
}
