// The themed demo: the same call as the main page, styled only from the outside.
import '../src/index.js';

const room = new URLSearchParams(location.search).get('room') ?? 'themed';
const call = document.createElement('rtc-call');
call.signaling = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/signal`;
call.room = room;
const local = document.createElement('div');
local.className = 'local';
const camera = document.createElement('rtc-camera');
camera.width = 640;
camera.height = 480;
local.append(camera, document.createElement('rtc-stats'));
call.append(local);
document.querySelector('#call')!.append(call);
