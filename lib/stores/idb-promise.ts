/**
 * Small promise wrappers over IndexedDB's event API, for `IndexedDBStore`. Browser-only code:
 * no `Buffer`, no `process`, no `node:` modules.
 */

/** Settles when the transaction commits; rejects with its error when it fails or aborts. */
export function transactionDone(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    const fail = (): void => reject(transaction.error ?? new DOMException('IndexedDB transaction aborted', 'AbortError'));
    transaction.onerror = fail;
    transaction.onabort = fail;
  });
}

/**
 * Opens `dbName`, creating the object store `storeName` (keyed by `key`, with an index on
 * `expiresAt`) when it is missing. Adding a store to an existing database needs a version
 * change, so the database is reopened one version up in that case.
 */
export async function openStoreDatabase(factory: IDBFactory, dbName: string, storeName: string): Promise<IDBDatabase> {
  const db = await openOnce(factory, dbName, undefined, storeName);
  if (db.objectStoreNames.contains(storeName)) return db;
  const nextVersion = db.version + 1;
  db.close();
  return openOnce(factory, dbName, nextVersion, storeName);
}

/** Name of the index on `expiresAt` that sweeps and counts use. */
export const EXPIRES_AT_INDEX = 'expiresAt';

function openOnce(factory: IDBFactory, dbName: string, version: number | undefined, storeName: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = version === undefined ? factory.open(dbName) : factory.open(dbName, version);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(storeName)) {
        const store = db.createObjectStore(storeName, { keyPath: 'key' });
        store.createIndex(EXPIRES_AT_INDEX, 'expiresAt', { unique: false });
      }
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new DOMException(`cannot open IndexedDB database ${dbName}`, 'UnknownError'));
    // onblocked: another connection has not closed yet; the open proceeds once it does, so just wait.
  });
}

