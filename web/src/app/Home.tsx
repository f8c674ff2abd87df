import { Navigate } from 'react-router';
import { useChannels } from '../features/channels';
import { Icon } from '../lib/ui/Icon';
import { useShell } from './Shell';

/** The first channel you are in, or a welcome when there is none. */
export function Home() {
  const { data, isPending } = useChannels();
  const shell = useShell();
  if (isPending) return <div className="page loading" aria-busy="true" />;
  const joined = data?.channels.filter((c) => c.is_member) ?? [];
  const first = joined.find((c) => c.name === 'general') ?? joined.find((c) => c.type !== 'direct') ?? joined[0];
  if (first) return <Navigate to={`/c/${first.id}`} replace />;
  return (
    <div className="page empty-state">
      <button type="button" className="icon-button menu-button" aria-label="Open the sidebar" onClick={shell.openSidebar}>
        <Icon name="menu" />
      </button>
      <h1>Welcome to Tandem</h1>
      <p className="muted">Create a channel or browse the ones your team has, from the sidebar.</p>
    </div>
  );
}
