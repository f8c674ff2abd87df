// The notifications API: the stored notifications, their unread counts, and the person's
// notification settings. Types come from the generated OpenAPI types.
import { call, client } from '../../lib/api';
import type { components } from '@tandem/client';

type S = components['schemas'];
export type Notification = S['NotificationResponse'];
export type NotificationKind = S['NotificationKindDto'];
export type NotificationPage = S['NotificationPageResponse'];
export type UnreadCounts = S['UnreadNotificationsResponse'];
export type NotificationSettings = S['NotificationSettingsResponse'];
export type NotificationSettingsUpdate = S['UpdateNotificationSettingsRequest'];
export type EmailDigest = S['EmailDigestDto'];
export type Language = S['LanguageDto'];

export const PAGE_SIZE = 50;

export const notificationsApi = {
  list: (query: { unread_only: boolean; before?: number; limit?: number }) =>
    call(client.GET('/api/v1/notifications', { params: { query: { limit: PAGE_SIZE, ...query } } })),
  counts: () => call(client.GET('/api/v1/notifications/unread_count')),
  markRead: (body: { ids: number[] } | { up_to: number }) => call(client.POST('/api/v1/notifications/read', { body })),
  settings: () => call(client.GET('/api/v1/users/me/notification-settings')),
  saveSettings: (body: NotificationSettingsUpdate) => call(client.PUT('/api/v1/users/me/notification-settings', { body })),
};
