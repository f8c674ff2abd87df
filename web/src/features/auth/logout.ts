import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { client } from '../../lib/api';
import { endSession, getSession } from '../../lib/session';

export function useLogout() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return async () => {
    const legacy = getSession()?.refreshToken;
    // Best effort: the session ends here whatever the server answers. The server ends the
    // session of the refresh cookie and clears it.
    await client.POST('/api/v1/auth/logout', { body: legacy ? { refresh_token: legacy } : {} }).catch(() => {});
    endSession('signed_out');
    queryClient.clear();
    navigate('/login', { replace: true });
  };
}
