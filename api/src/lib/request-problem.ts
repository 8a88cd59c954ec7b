import type { ValidationErrorItem } from './problem.ts';

/**
 * A request refused for what it sent, saying where (`loc`) and why in words. Thrown anywhere
 * (a query's filters, an import's line 3); handleError is the one place that answers it.
 */
export abstract class RequestProblem extends Error {
  abstract readonly status: 404 | 413 | 422;
  abstract get errors(): ValidationErrorItem[];

  /** The problem's `detail`. */
  get detail(): string {
    return this.message;
  }
}
