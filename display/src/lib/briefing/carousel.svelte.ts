/** The carousel's state for Svelte: the page shown and whether it is paused, moved by commands. */
import { advance, applyCommand, type CarouselCommand } from './carousel.js';

export class Carousel {
  page = $state(0);
  count = $state(0);
  paused = $state(false);

  /** Applies a command of a key or a button. */
  apply(command: CarouselCommand): void {
    const next = applyCommand({ page: this.page, count: this.count, paused: this.paused }, command);
    this.page = next.page;
    this.paused = next.paused;
  }

  /** The timer's turn. */
  advance(): void {
    this.page = advance({ page: this.page, count: this.count, paused: this.paused }).page;
  }

  /** A new set of pages (another month): keep the page when it still exists. */
  setCount(count: number): void {
    this.count = count;
    if (this.page >= count) this.page = Math.max(0, count - 1);
  }
}
