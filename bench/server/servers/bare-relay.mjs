#!/usr/bin/env node
/**
 * The baseline: a bare `ws` relay. Rooms of two; the first frame `{"type":"join","room":…}`
 * puts a socket in a room (answered with `{"type":"welcome"}`); every later frame is forwarded
 * unchanged to the other socket of the room. No validation, no auth, no limits.
 */
import { WebSocketServer } from 'ws';

const rooms = new Map();
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 * 1024 }, () => {
  console.log(JSON.stringify({ port: wss.address().port, pid: process.pid }));
});
wss.on('connection', (ws) => {
  let room;
  ws.on('message', (data, isBinary) => {
    if (room === undefined) {
      try {
        room = String(JSON.parse(data.toString()).room);
      } catch {
        return ws.close(1008);
      }
      const members = rooms.get(room) ?? [];
      if (members.length >= 2) return ws.close(4409);
      members.push(ws);
      rooms.set(room, members);
      ws.send('{"type":"welcome"}');
      return;
    }
    for (const other of rooms.get(room) ?? []) if (other !== ws) other.send(data, { binary: isBinary });
  });
  ws.on('close', () => {
    const members = rooms.get(room)?.filter((m) => m !== ws);
    if (!members) return;
    if (members.length) rooms.set(room, members);
    else rooms.delete(room);
  });
  ws.on('error', () => {});
});
process.on('SIGTERM', () => process.exit(0));
