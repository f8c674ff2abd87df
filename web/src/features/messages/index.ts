export { Conversation, ThreadView, useMarkdownContext } from './Conversation';
export { PinnedMessages } from './PinnedMessages';
