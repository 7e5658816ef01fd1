// Entry of the React example: the page's query string gives the signaling URL and the room.
import { createRoot } from 'react-dom/client';
import { Call } from './App.js';

const q = new URLSearchParams(location.search);
createRoot(document.getElementById('root')!).render(
  <Call signaling={q.get('signaling') ?? 'ws://127.0.0.1:8080/signal'} room={q.get('room') ?? 'standup'} />,
);
