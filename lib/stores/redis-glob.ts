/** Escapes the characters that Redis' SCAN MATCH treats as glob syntax. Internal: not in the `redis` entry point. */
export function escapeGlob(text: string): string {
  return text.replace(/[\\*?[\]^-]/g, (char) => `\\${char}`);
}
