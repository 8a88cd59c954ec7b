// Lighthouse's scores (scripts/lighthouse.ts) as rows of the benchmark's table; a run that fails
// is one missed row, so the figures measured before it are still printed.
import { runLighthouse } from '../lighthouse.ts';
import type { Figure } from './bench-table.ts';

/** The web's scores, on its own stack (embedded database with the sample data), as figures. */
export async function lighthouseFigures(): Promise<Figure[]> {
  try {
    const [baseline, ...pages] = await runLighthouse();
    if (!baseline) throw new Error('no results');
    return pages.map((r) => ({
      name: `Lighthouse (mobile), ${r.page}`,
      value: `perf ${r.performance}, a11y ${r.accessibility}; LCP ${r.lcpMs.toFixed(0)} ms, TBT ${r.tbtMs.toFixed(0)} ms`,
      baseline: `${baseline.page}: perf ${baseline.performance}, a11y ${baseline.accessibility}`,
      ratio: r.performance / baseline.performance,
      target: 'perf, a11y ≥ 95 each',
      ok: r.performance >= 95 && r.accessibility >= 95,
    }));
  } catch (error) {
    console.error('Lighthouse failed:', error);
    const reason = (error as Error).message.split('\n')[0] ?? '';
    return [
      {
        name: 'Lighthouse (mobile)',
        value: `failed: ${reason.slice(0, 80)}`,
        baseline: '—',
        ratio: Number.NaN,
        target: 'perf, a11y ≥ 95 each',
        ok: false,
      },
    ];
  }
}
