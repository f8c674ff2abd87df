export { Sidebar } from './Sidebar';
export { ChannelHeader, type ChannelPanel } from './ChannelHeader';
export { ChannelInfo, ChannelSettings } from './ChannelPanels';
export { useChannels, useChannel, useJoin } from './useChannels';
