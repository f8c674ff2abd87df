// The person's notification settings, shared by the settings page, the centre and the
// browser notifications.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { notificationsApi, type NotificationSettings, type NotificationSettingsUpdate } from './api';

const KEY = ['notifications', 'settings'] as const;

export function useNotificationSettings() {
  return useQuery({ queryKey: KEY, queryFn: notificationsApi.settings, staleTime: 5 * 60_000 });
}

export function useSaveNotificationSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: NotificationSettingsUpdate) => notificationsApi.saveSettings(changes),
    onSuccess: (saved) => queryClient.setQueryData<NotificationSettings>(KEY, saved),
  });
}

/** What the browser allows: `unsupported` where there is no Notification API. */
export type Permission = NotificationPermission | 'unsupported';

export function browserPermission(): Permission {
  return typeof window !== 'undefined' && 'Notification' in window ? Notification.permission : 'unsupported';
}

/** Asks the browser, once it is still undecided; answers what it allows afterwards. */
export async function askPermission(): Promise<Permission> {
  const now = browserPermission();
  if (now !== 'default') return now;
  try {
    return await Notification.requestPermission();
  } catch {
    return browserPermission();
  }
}
