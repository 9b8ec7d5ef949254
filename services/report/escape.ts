/**
 * Escaping for text and attribute values in HTML and SVG. Everything the report
 * shows comes from configuration or data (target names, notes, units) and may
 * contain & < > " ' — it is always escaped, never trusted as markup.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
