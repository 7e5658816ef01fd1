/**
 * How much video each sender sends as a full-mesh room grows: every participant uploads one
 * copy per peer, so six people at full size would saturate a typical uplink. Applied per
 * sender with `RTCRtpSender.setParameters()` (no renegotiation).
 */

/** Encoding limits for one video sender. */
export interface SendPolicy {
  /** Bits per second. */
  maxBitrate: number;
  /** 1 = full size, 2 = half width and height. */
  scaleResolutionDownBy: number;
}

/** Picks the video limits for a room of `roomSize` people (ourselves included). */
export type MeshPolicy = (roomSize: number) => SendPolicy;

/**
 * The default: about 2.4 Mbps of total uplink shared among the copies (1.5, 1.2, 0.8, 0.6, 0.5 Mbps
 * per copy for rooms of 2…6), never under 300 kbps,
 * and a smaller picture from three people on (a 720p camera sends 480p, then 360p).
 */
export const defaultMeshPolicy: MeshPolicy = (roomSize) => {
  const copies = Math.max(1, roomSize - 1);
  const maxBitrate = Math.max(300_000, Math.min(1_500_000, Math.round(2_400_000 / copies / 50_000) * 50_000));
  const scaleResolutionDownBy = roomSize <= 2 ? 1 : roomSize <= 3 ? 1.5 : 2;
  return { maxBitrate, scaleResolutionDownBy };
};
