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

/** Replaces strings page-wide (merged over earlier calls); pass `null` for a tag to drop its overrides. */
export function setStrings(strings: { [K in keyof RtcStringsMap]?: RtcStringsMap[K] | null }): void {
  for (const [tag, value] of Object.entries(strings) as [keyof RtcStringsMap, object | null][]) {
    (global as Record<string, object | undefined>)[tag] = value ? { ...(global[tag] as object), ...value } : undefined;
  }
  stringsChanged.dispatchEvent(new Event('change'));
}

/** The page-wide overrides for one element tag. */
export const globalStrings = <K extends keyof RtcStringsMap>(tag: K): RtcStringsMap[K] | undefined => global[tag];

/** Fills `{name}` placeholders. */
export const fill = (template: string, values: Record<string, string | number>): string =>
  template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
