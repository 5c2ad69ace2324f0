/** A tiny listener list for a store's out-of-request events (no Node EventEmitter, so browsers can reuse it). */
import type { StoreEvent } from './store.js';

export class EventHub {
  readonly #listeners = new Set<(event: StoreEvent) => void>();

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Calls every listener; a listener that throws does not stop the others or reach the store. */
  emit(event: StoreEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        // A broken listener must not break the store.
      }
    }
  }

  get size(): number {
    return this.#listeners.size;
  }
}
