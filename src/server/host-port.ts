/** Parses the `host:port` lists of the settings (Redis sentinels and cluster nodes). */

/** `host`, `host:port`, `[v6]` or `[v6]:port`, with `port` when none is given; throws on anything else. */
export function hostPort(s: string, port: number): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(s.trim());
  const p = m?.[3] === undefined ? port : Number(m[3]);
  if (!m || p < 1 || p > 65535) throw new Error(`not a host or host:port: ${JSON.stringify(s)}`);
  return { host: m[1] ?? m[2], port: p };
}
