/**
 * How stores report failures: a tiny listener list for out-of-request events (no Node EventEmitter,
 * so browsers can reuse it), and the conversion of anything thrown into an `Error` or a `StoreError`.
 */
import { asError, asStoreError } from '../errors.js';
import type { StoreEvent } from './store.js';

/** `error` itself when it is an Error, else an Error with its text; and a store failure as this library's error. */
export { asError, asStoreError };

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

  /** Emits an `error` event for anything thrown. */
  emitError(error: unknown): void {
    this.emit({ type: 'error', error: asError(error) });
  }
}
