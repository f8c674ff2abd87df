import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { call, client } from '../../lib/api';
import { errorMessage } from '../../lib/errors';
import { keys } from '../../lib/queryClient';

const POLICIES = [
  { value: 'optional', label: 'Each person chooses' },
  { value: 'admins', label: 'Required for admins' },
  { value: 'everyone', label: 'Required for everyone' },
] as const;

type Policy = (typeof POLICIES)[number]['value'];

/** Who must sign in with an authenticator app (admins set it for the organization). */
export function TwoFactorPolicySection() {
  const queryClient = useQueryClient();
  const organization = useQuery({ queryKey: keys.organization, queryFn: () => call(client.GET('/api/v1/organizations/current')) });
  // The choice shows at once; the server's answer replaces it.
  const [choice, setChoice] = useState<Policy | null>(null);
  const save = useMutation({
    mutationFn: (policy: Policy) => call(client.PATCH('/api/v1/organizations/current', { body: { two_factor_policy: policy } })),
    onSuccess: (org) => queryClient.setQueryData(keys.organization, org),
    onSettled: () => setChoice(null),
  });
  const current = choice ?? (organization.data?.two_factor_policy as Policy | undefined) ?? 'optional';

  return (
    <section className="card" aria-labelledby="twoFactorPolicyTitle">
      <h2 id="twoFactorPolicyTitle">Two-factor sign-in</h2>
      <label htmlFor="twoFactorPolicy">Who must sign in with an authenticator app</label>
      <select
        id="twoFactorPolicy"
        value={current}
        disabled={!organization.data || choice !== null}
        aria-describedby="twoFactorPolicyHint"
        onChange={(e) => {
          const policy = e.target.value as Policy;
          setChoice(policy);
          save.mutate(policy);
        }}
      >
        {POLICIES.map((policy) => (
          <option key={policy.value} value={policy.value}>
            {policy.label}
          </option>
        ))}
      </select>
      <p className="hint" id="twoFactorPolicyHint">
        People it covers who have not turned it on can still sign in, but see only the page that sets it up until they do. It applies from their next
        sign-in, or within 15 minutes.
      </p>
      {save.isSuccess && choice === null && (
        <p className="notice" role="status">
          Saved.
        </p>
      )}
      {save.error && (
        <p className="form-error" role="alert">
          {errorMessage(save.error)}
        </p>
      )}
    </section>
  );
}
