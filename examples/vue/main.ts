// Entry of the Vue example: the page's query string gives the signaling URL and the room.
import { createApp } from 'vue';
import App from './App.vue';

const q = new URLSearchParams(location.search);
createApp(App, { signaling: q.get('signaling') ?? 'ws://127.0.0.1:8080/signal', room: q.get('room') ?? 'standup' }).mount('#app');
