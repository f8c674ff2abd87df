import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { client } from '../../lib/api';
import { endSession, getSession } from '../../lib/session';

export function useLogout() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return async () => {
    const session = getSession();
    // Best effort: the session ends here whatever the server answers.
    await client.POST('/api/v1/auth/logout', { body: { refresh_token: session?.refreshToken ?? null } }).catch(() => {});
    endSession('signed_out');
    queryClient.clear();
    navigate('/login', { replace: true });
  };
}
