#!/usr/bin/env node
/** The PeerJS server (`peer` package) as users run it, with the connection limit raised for the benchmark. */
import { PeerServer } from 'peer';

PeerServer({ host: '127.0.0.1', port: 0, path: '/', concurrent_limit: 20_000 }, (server) => {
  console.log(JSON.stringify({ port: server.address().port, pid: process.pid }));
});
process.on('SIGTERM', () => process.exit(0));
