export { NotificationBell, NotificationListener } from './Notifications';
