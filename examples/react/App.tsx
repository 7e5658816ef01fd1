import { useState } from 'react';
import 'rtc-elements';
import type {} from 'rtc-elements/react'; // JSX types for <rtc-call>, <rtc-camera>, <rtc-chat>, <rtc-stats>

export function Call({ signaling, room, token }: { signaling: string; room: string; token?: string }) {
  const [status, setStatus] = useState('Joining…');
  return (
    <>
      <rtc-call signaling={signaling} room={room} token={token} name="Ada"
                iceServers={[{ urls: 'stun:stun.example.org:3478' }]}
                strings={{ leave: 'Hang up' }}
                onrtc-joined={(e) => setStatus(`In ${e.room}`)}
                onrtc-error={(e) => setStatus(`Error: ${e.code}`)}>
        <rtc-camera width={320} height={240} />
        <rtc-stats variant="compact" />
      </rtc-call>
      <p role="status">{status}</p>
    </>
  );
}
