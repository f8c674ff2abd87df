// Places where one feature shows what another provides, composed by the app without the two
// importing each other: the app fills the slot, features render it.
import { createContext, useContext, type ReactNode } from 'react';
import type { Message } from './types';

type RenderAttachments = (message: Message) => ReactNode;

const AttachmentsSlot = createContext<RenderAttachments>(() => null);

export const AttachmentsProvider = AttachmentsSlot.Provider;

/** How a message's attachments are shown (nothing unless the app provides it). */
export function useAttachmentRenderer(): RenderAttachments {
  return useContext(AttachmentsSlot);
}
