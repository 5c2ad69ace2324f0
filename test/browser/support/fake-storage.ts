/**
 * An in-memory stand-in for the DOM `Storage` with a quota, so the Web Storage store's quota path
 * can be driven in Node and in the browser alike. No `node:` imports: it is also bundled for the page.
 */
export class FakeStorage {
  readonly #items = new Map<string, string>();
  /** Largest total of name plus value lengths (UTF-16 code units) the storage accepts. */
  quotaChars: number;
  /** When set, every call throws this error (a storage the browser has blocked). */
  failWith: Error | undefined;

  constructor(quotaChars = Number.POSITIVE_INFINITY) {
    this.quotaChars = quotaChars;
  }

  get length(): number {
    this.#check();
    return this.#items.size;
  }

  key(index: number): string | null {
    this.#check();
    return [...this.#items.keys()][index] ?? null;
  }

  getItem(name: string): string | null {
    this.#check();
    return this.#items.get(name) ?? null;
  }

  setItem(name: string, value: string): void {
    this.#check();
    const previous = this.#items.get(name);
    const usedChars = this.usedChars() - (previous === undefined ? 0 : name.length + previous.length);
    if (usedChars + name.length + value.length > this.quotaChars) {
      throw new DOMException(`Setting the value of '${name}' exceeded the quota.`, 'QuotaExceededError');
    }
    this.#items.set(name, value);
  }

  removeItem(name: string): void {
    this.#check();
    this.#items.delete(name);
  }

  usedChars(): number {
    let total = 0;
    for (const [name, value] of this.#items) total += name.length + value.length;
    return total;
  }

  names(): string[] {
    return [...this.#items.keys()];
  }

  #check(): void {
    if (this.failWith !== undefined) throw this.failWith;
  }
}
