import { QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import { AdminPage } from '../features/admin';
import { Attachments, filesEnabled } from '../features/files';
import { NotificationSettingsPage } from '../features/notifications';
import { AttachmentsProvider } from '../lib/slots';
import type { Message } from '../lib/types';
import {
  ForgotPasswordPage,
  InvitePage,
  LoginPage,
  ProfilePage,
  ResetPasswordPage,
  SessionsPage,
  SignupPage,
  SsoCompletePage,
  TwoFactorPage,
  UnlockPage,
  VerifyEmailPage,
} from '../features/auth';
import { createQueryClient } from '../lib/queryClient';
import { subscribe } from '../lib/session';
import { ChannelPage } from './ChannelPage';
import { Home } from './Home';
import { Shell, useShell } from './Shell';
import { useTheme } from './theme';

/** Nothing of an ended session stays cached; the shell then leads to login. */
function SessionWatcher() {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      subscribe((session, reason) => {
        if (!session && reason !== 'changed') queryClient.clear();
      }),
    [queryClient],
  );
  return null;
}

const renderAttachments = (message: Message) => (filesEnabled ? <Attachments message={message} /> : null);

function NotificationSettingsRoute() {
  const shell = useShell();
  return <NotificationSettingsPage onMenu={shell.openSidebar} />;
}

function SessionsRoute() {
  const shell = useShell();
  return <SessionsPage onMenu={shell.openSidebar} />;
}

function TwoFactorRoute() {
  const shell = useShell();
  return <TwoFactorPage onMenu={shell.openSidebar} />;
}

function Themed() {
  useTheme();
  return null;
}

export function App() {
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <AttachmentsProvider value={renderAttachments}>
      <BrowserRouter>
        <Themed />
        <SessionWatcher />
        <Routes>
          <Route path="/login" element={<LoginPage />} />
          <Route path="/login/sso" element={<SsoCompletePage />} />
          <Route path="/signup" element={<SignupPage />} />
          <Route path="/unlock" element={<UnlockPage />} />
          <Route path="/verify-email" element={<VerifyEmailPage />} />
          <Route path="/forgot-password" element={<ForgotPasswordPage />} />
          <Route path="/reset-password" element={<ResetPasswordPage />} />
          <Route path="/invite" element={<InvitePage />} />
          <Route element={<Shell />}>
            <Route index element={<Home />} />
            <Route path="/c/:channelId" element={<ChannelPage />} />
            <Route path="/profile" element={<ProfilePage />} />
            <Route path="/settings/notifications" element={<NotificationSettingsRoute />} />
            <Route path="/settings/sessions" element={<SessionsRoute />} />
            <Route path="/settings/security" element={<TwoFactorRoute />} />
            <Route path="/admin" element={<AdminPage />} />
            <Route path="*" element={<Home />} />
          </Route>
        </Routes>
      </BrowserRouter>
      </AttachmentsProvider>
    </QueryClientProvider>
  );
}
