// The app's channel sockets: the client package's `ChannelSocket` (resuming after the last
// applied `seq`, exactly once, acks for requests), authenticated from the session.
import { ChannelSocket, type ChannelSocketOptions } from '@tandem/client';
import { sessionCredentials } from '../session';

export type ChannelSocketHandlers = Pick<ChannelSocketOptions, 'onChange' | 'onEvent' | 'onState'>;

export function openChannelSocket(channelId: number, afterSeq: number, handlers: ChannelSocketHandlers): ChannelSocket {
  return new ChannelSocket({ ...sessionCredentials, channelId, afterSeq, ...handlers });
}
