export const CHROMIUM: string;
export const FIREFOX: string;
export const CHROMIUM_ARGS: string[];
export function chromiumArgsWithDevices(n: number): string[];
export const FIREFOX_PREFS: Record<string, boolean | number | string>;
