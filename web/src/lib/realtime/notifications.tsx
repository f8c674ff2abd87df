// The notifications socket of the signed-in person, opened once for the whole app. Features
// subscribe to its frames (mentions, direct messages, invitations, unread changes, presence).
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { getSession } from '../session';
import type { ServerFrame } from '../types';
import { ReconnectingSocket, wsUrl, type ConnectionState } from './socket';

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
        const token = getSession()?.accessToken;
        return token ? wsUrl(`/api/v1/ws/notifications/${userId}`, { token }) : null;
      },
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
