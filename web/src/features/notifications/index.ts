export { NotificationBell } from './Bell';
export { NotificationListener } from './Listener';
export { NotificationSettingsPage } from './SettingsPage';
export type { Target as NotificationTarget } from './describe';
