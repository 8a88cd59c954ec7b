import type { components } from '@chartroom/client';
import { api } from './api/client';
import { mountChart } from './chart-view';
import { heavyRead } from './heavy-reads';

type Chart = components['schemas']['Chart'];

/** Points a card's picture is drawn from: a small sample is enough at its size. */
const CARD_POINTS = 400;

/**
 * A card's picture (the gallery, My work): drawn when it scrolls into view, from a sample of its
 * data read in the page's queue. `credentials: 'omit'` for cards anyone may see.
 */
export function drawCardWhenSeen(
  holder: HTMLElement,
  chart: Chart,
  credentials: RequestCredentials = 'include',
): void {
  // A pie's card is taller (see heightFor): its CSS shapes the place before it is drawn.
  holder.classList.toggle('pie', chart.spec.type === 'pie');
  const seen = new IntersectionObserver((entries) => {
    if (!entries.some((entry) => entry.isIntersecting)) return;
    seen.disconnect();
    const query = { max_points: CARD_POINTS };
    heavyRead(() =>
      api.GET('/v1/charts/{id}/data', { params: { path: { id: chart.id }, query }, credentials }),
    )
      .then(({ data }) => {
        if (data)
          mountChart(holder, chart.spec, data, {
            title: chart.title,
            heading: false,
            thumbnail: true,
          });
        else holder.textContent = 'This chart could not be drawn.';
      })
      .catch(() => {
        holder.textContent = 'This chart could not be drawn.';
      });
  });
  seen.observe(holder);
}
