import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { call, client } from '../../lib/api';
import { useMe } from '../../lib/directory';
import { keys } from '../../lib/queryClient';
import { updateUser } from '../../lib/session';
import { AuthLayout } from './AuthLayout';
import { ResendLink } from './ResendLink';
import { useLogout } from './logout';

/** How often the screen asks whether the address was confirmed elsewhere (another device). */
const RECHECK_MS = 5_000;

/**
 * What someone who joined by their email's domain sees until they open the emailed link: the
 * organization answers nothing else meanwhile. Opening the link in another tab or on another
 * device lets this one in too, within seconds.
 */
export function ConfirmEmailPage() {
  const me = useMe();
  const logout = useLogout();
  const queryClient = useQueryClient();
  const account = useQuery({
    queryKey: keys.me,
    queryFn: () => call(client.GET('/api/v1/auth/me')),
    refetchInterval: RECHECK_MS,
    refetchOnWindowFocus: true,
    staleTime: 0,
  });
  const fresh = account.data;
  useEffect(() => {
    if (fresh && fresh.id === me.id && (fresh.email_verified !== me.email_verified || fresh.role !== me.role || fresh.email !== me.email)) {
      updateUser(fresh);
      // What was refused meanwhile answers now.
      if (fresh.email_verified) void queryClient.invalidateQueries();
    }
  }, [fresh, me, queryClient]);

  return (
    <AuthLayout title="Confirm your email address" subtitle="One more step before you see your team.">
      <div className="confirm-email">
        <p>
          We sent a link to <strong id="unverifiedEmail">{me.email}</strong>. Open it to prove the address is yours; your team’s channels appear as soon
          as you do.
        </p>
        <p className="hint">Nothing arrived after a few minutes? Check your spam folder, or send a new link.</p>
        <ResendLink email={me.email} primary />
        <p className="auth-switch">
          Wrong address or account?{' '}
          <button type="button" className="link-button" onClick={() => void logout()} id="unverifiedLogout">
            Log out
          </button>
        </p>
      </div>
    </AuthLayout>
  );
}
