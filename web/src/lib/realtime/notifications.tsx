// The notifications socket of the signed-in person, opened once for the whole app. Features
// subscribe to its frames (mentions, direct messages, invitations, unread changes, presence).
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { ReconnectingSocket, currentToken, realtimeUrl, type ConnectionState } from '@tandem/client';
import { sessionCredentials } from '../session';
import type { ServerFrame } from '../types';

type Listener = (frame: ServerFrame) => void;

interface Hub {
  subscribe: (listener: Listener) => () => void;
  state: ConnectionState;
}

const HubContext = createContext<Hub>({ subscribe: () => () => {}, state: 'closed' });

export function NotificationsProvider({ userId, children }: { userId: number; children: ReactNode }) {
  const listeners = useRef(new Set<Listener>());
  const [state, setState] = useState<ConnectionState>('connecting');
  const [hub, setHub] = useState<Hub>({ subscribe: () => () => {}, state });

  useEffect(() => {
    const socket = new ReconnectingSocket({
      url: () => {
        const token = currentToken(sessionCredentials.token);
        return token ? realtimeUrl(sessionCredentials.baseUrl, 'notifications', { user_id: userId }, { token }) : null;
      },
      renew: sessionCredentials.renew,
      onFrame: (frame) => listeners.current.forEach((l) => l(frame)),
      onState: setState,
    });
    socket.start();
    return () => socket.stop();
  }, [userId]);

  useEffect(() => {
    setHub({
      state,
      subscribe: (listener) => {
        listeners.current.add(listener);
        return () => listeners.current.delete(listener);
      },
    });
  }, [state]);

  return <HubContext.Provider value={hub}>{children}</HubContext.Provider>;
}

/** Calls `handler` with every frame of the notifications socket. */
export function useNotificationFrames(handler: Listener) {
  const { subscribe } = useContext(HubContext);
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => subscribe((frame) => ref.current(frame)), [subscribe]);
}

export function useNotificationsState(): ConnectionState {
  return useContext(HubContext).state;
}
