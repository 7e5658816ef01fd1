/**
 * Translations shared by every element: `setStrings({ 'rtc-call': { leave: 'Quitter' } })`
 * replaces labels page-wide; an element's own `strings` property wins over them, and the English
 * defaults fill the rest. Elements re-render when this changes.
 */

/** Strings per element tag; each element's strings module adds its entry. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RtcStringsMap {}

const global: { [K in keyof RtcStringsMap]?: RtcStringsMap[K] } = {};

/** Fires `change` after `setStrings`. */
export const stringsChanged = new EventTarget();

/**
 * Replaces strings page-wide, merged over earlier calls (tables such as `errors` and `units` key
 * by key); pass `null` for a tag to drop its overrides.
 */
export function setStrings(strings: { [K in keyof RtcStringsMap]?: RtcStringsMap[K] | null }): void {
  for (const [tag, value] of Object.entries(strings) as [keyof RtcStringsMap, Record<string, unknown> | null][]) {
    const before = (global[tag] ?? {}) as Record<string, unknown>;
    const merged: Record<string, unknown> = { ...before };
    for (const [key, v] of Object.entries(value ?? {})) {
      const old = before[key];
      merged[key] = v && typeof v === 'object' && old && typeof old === 'object' ? { ...old, ...v } : v;
    }
    (global as Record<string, object | undefined>)[tag] = value ? merged : undefined;
  }
  stringsChanged.dispatchEvent(new Event('change'));
}

/** The page-wide overrides for one element tag. */
export const globalStrings = <K extends keyof RtcStringsMap>(tag: K): RtcStringsMap[K] | undefined => global[tag];

/** Fills `{name}` placeholders. */
export const fill = (template: string, values: Record<string, string | number>): string =>
  template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
