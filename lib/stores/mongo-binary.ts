/** Reading MongoStore's `data` field from any copy of the driver. Internal: not in an entry point. */

/**
 * The bytes of a stored `data` field: a BSON Binary of any copy of the bson library (told by its `_bsontype`
 * tag, as bson itself does, not by `instanceof`), or the Buffer a driver with `promoteBuffers` answers.
 */
export function binaryBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (typeof value !== 'object' || value === null) return undefined;
  const { _bsontype: type, buffer, position } = value as { _bsontype?: unknown; buffer?: unknown; position?: unknown };
  if (type !== 'Binary' || !(buffer instanceof Uint8Array)) return undefined;
  // `position` is the length in use; `buffer` may be longer (room a Binary keeps for writes).
  return typeof position === 'number' && position >= 0 && position < buffer.byteLength ? buffer.subarray(0, position) : buffer;
}
