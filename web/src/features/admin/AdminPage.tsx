import { useEffect, useState } from 'react';
import { useMe } from '../../lib/directory';
import type { components } from '@tandem/client';
import { getSession } from '../../lib/session';
import { AccessTokensSection } from './AccessTokens';
import { BotsSection } from './Bots';
import { InvitationsSection } from './Invitations';
import { OutgoingWebhooksSection } from './OutgoingWebhooks';
import { PeopleSection } from './People';
import { SingleSignOnSection } from './SingleSignOn';
import { SlashCommandsSection } from './SlashCommands';
import { TwoFactorPolicySection } from './TwoFactorPolicy';

type Metrics = components['schemas']['DashboardMetricsEvent'];

/** Live statistics of the organization, from the dashboard's event stream. */
function useDashboard(): { metrics: Metrics | null; live: boolean } {
  const [metrics, setMetrics] = useState<Metrics | null>(null);
  const [live, setLive] = useState(false);
  useEffect(() => {
    const token = getSession()?.accessToken;
    if (!token) return;
    const source = new EventSource(`/api/v1/sse/dashboard?token=${encodeURIComponent(token)}`);
    source.addEventListener('metrics', (e) => {
      setLive(true);
      setMetrics(JSON.parse((e as MessageEvent).data) as Metrics);
    });
    source.onerror = () => setLive(false);
    return () => source.close();
  }, []);
  return { metrics, live };
}

export function AdminPage() {
  const me = useMe();
  const { metrics, live } = useDashboard();
  if (me.role !== 'admin') return <div className="page"><p className="pad">Only admins see this page.</p></div>;
  const stats: [string, number | string | undefined][] = [
    ['People online', metrics?.active_users],
    ['Messages / minute', metrics?.messages_per_minute],
    ['Active channels', metrics?.active_channels],
    ['Open connections', metrics?.open_connections],
  ];
  return (
    <div className="page">
      <header className="page-header">
        <h1>Administration</h1>
        <span className={`live-tag ${live ? 'on' : ''}`}>{live ? 'Live' : 'Connecting…'}</span>
      </header>
      <div className="page-body">
        <section className="stats">
          {stats.map(([label, value]) => (
            <div className="stat" key={label}>
              <div className="stat-value">{value ?? '—'}</div>
              <div className="stat-label">{label}</div>
            </div>
          ))}
        </section>
        <InvitationsSection />
        <TwoFactorPolicySection />
        <SingleSignOnSection />
        <AccessTokensSection />
        <BotsSection />
        <OutgoingWebhooksSection />
        <SlashCommandsSection />
        <PeopleSection />
      </div>
    </div>
  );
}
