/** Browser-test access to the lossy, delaying UDP proxies of scripts/udp-proxy-plugin.mjs. */
import { executeServerCommand } from '@web/test-runner-commands';

/** How bad the proxy makes the network: loss %, delay ms each way, extra random delay ms. */
export interface NetworkImpairment {
  loss?: number;
  delay?: number;
  jitter?: number;
}

/** A running proxy in front of a UDP server on 127.0.0.1. */
export interface UdpProxy {
  id: number;
  port: number;
}

/** Starts a proxy that forwards to 127.0.0.1:`targetPort`. */
export const startUdpProxy = (targetPort: number, impairment: NetworkImpairment = {}) =>
  executeServerCommand<UdpProxy, NetworkImpairment & { targetPort: number }>('udp-proxy-start', {
    targetPort,
    ...impairment,
  });

/** Changes a proxy's loss, delay or jitter now. */
export const impair = (proxy: UdpProxy, impairment: NetworkImpairment) =>
  executeServerCommand<Required<NetworkImpairment>, NetworkImpairment & { id: number }>('udp-proxy-set', {
    id: proxy.id,
    ...impairment,
  });

/** Stops a proxy; says how many datagrams it forwarded and dropped. */
export const stopUdpProxy = (proxy: UdpProxy) =>
  executeServerCommand<{ forwarded: number; dropped: number } | null, { id: number }>('udp-proxy-stop', {
    id: proxy.id,
  });
