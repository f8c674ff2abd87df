import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, type ReactNode } from 'react';
import { Navigate, useNavigate, useParams, useSearchParams } from 'react-router';
import { ChannelHeader, ChannelInfo, ChannelSettings, useChannel, useChannels, useJoin, type ChannelPanel } from '../features/channels';
import { AttachButton, DropZone, filesEnabled, UploadList, useUploads } from '../features/files';
import { Conversation, PinnedMessages, ThreadView } from '../features/messages';
import { SearchPanel } from '../features/search';
import { call, client } from '../lib/api';
import { directName, useMe, useUserMap } from '../lib/directory';
import { errorMessage } from '../lib/errors';
import { keys } from '../lib/queryClient';
import { messagePath, useShell } from './Shell';

export function ChannelPage() {
  const { channelId } = useParams();
  const id = Number(channelId);
  const me = useMe();
  const users = useUserMap();
  const shell = useShell();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const channel = useChannel(id);
  const { data: list } = useChannels();
  const join = useJoin();
  const uploads = useUploads(id);

  const panel = params.get('panel') as ChannelPanel | null;
  const thread = params.get('thread') ? Number(params.get('thread')) : null;
  const focusId = params.get('m') ? Number(params.get('m')) : undefined;
  const focusSeq = params.get('seq') ? Number(params.get('seq')) : undefined;
  // A link that names a message alone (`?message=`, as emails have it, or `?m=` without its
  // seq): the message says where it is, and the page opens there instead.
  const linked = params.get('message') ?? (focusId !== undefined && focusSeq === undefined && !thread ? String(focusId) : null);
  const linkedId = linked && /^\d+$/.test(linked) ? Number(linked) : null;
  const lookup = useQuery({
    queryKey: keys.message(linkedId ?? 0),
    queryFn: () => call(client.GET('/api/v1/messages/{message_id}', { params: { path: { message_id: linkedId! } } })),
    enabled: linkedId !== null,
    staleTime: Infinity,
  });
  useEffect(() => {
    if (linkedId === null) return;
    if (lookup.data) navigate(messagePath(lookup.data.channel_id, lookup.data), { replace: true });
    else if (lookup.error) navigate(`/c/${id}`, { replace: true });
  }, [linkedId, lookup.data, lookup.error, id, navigate]);
  const focus = useMemo(() => (focusId !== undefined && focusSeq !== undefined ? { id: focusId, seq: focusSeq } : undefined), [focusId, focusSeq]);

  const setPanel = useCallback(
    (next: ChannelPanel | null) =>
      setParams((p) => {
        const q = new URLSearchParams(p);
        q.delete('thread');
        if (next && q.get('panel') !== next) q.set('panel', next);
        else q.delete('panel');
        return q;
      }),
    [setParams],
  );
  const openThread = useCallback((rootId: number) => setParams({ thread: String(rootId) }), [setParams]);
  const closePanel = useCallback(() => setPanel(null), [setPanel]);

  if (!Number.isFinite(id)) return <Navigate to="/" replace />;
  if (channel.error) {
    return (
      <div className="page">
        <p className="pad form-error">{errorMessage(channel.error)}</p>
      </div>
    );
  }
  if (!channel.data) return <div className="page loading" aria-busy="true" />;
  const c = channel.data;
  const title = c.type === 'direct' ? directName(c.name, me.id, users) : c.name;
  const listed = list?.channels.find((x) => x.id === c.id);

  return (
    <div className={`channel-page ${panel || thread ? 'with-panel' : ''}`}>
      <section className="chat-main" aria-label={`Conversation in ${title}`}>
        <Droppable enabled={filesEnabled && !c.is_archived && c.is_member} onFiles={uploads.start} label={`Drop files to share in ${c.type === 'direct' ? title : `#${title}`}`}>
        <ChannelHeader
          channel={c}
          title={title}
          memberCount={listed?.member_count}
          onMenu={shell.openSidebar}
          onPanel={setPanel}
          active={panel}
          onJoin={() => void join(c.id)}
          notify={{ notification_level: listed?.notification_level ?? c.notification_level ?? 'default', muted: listed?.muted ?? c.muted ?? false }}
        />
        <Conversation
          key={c.id}
          channel={c}
          title={c.type === 'direct' ? title : `#${title}`}
          me={me}
          onOpenThread={openThread}
          focus={focus}
          composerExtra={filesEnabled ? <AttachButton onFiles={uploads.start} /> : undefined}
          aboveComposer={filesEnabled ? <UploadList uploads={uploads.uploads} onRetry={uploads.retry} onDismiss={uploads.dismiss} /> : undefined}
          onLeft={() => navigate('/')}
        />
        </Droppable>
      </section>
      {thread !== null && (
        <ThreadView key={thread} rootId={thread} channel={c} channelName={title} me={me} focusId={focusId} onClose={() => setParams({})} />
      )}
      {thread === null && panel === 'info' && (
        <ChannelInfo
          channel={c}
          title={title}
          me={me}
          onClose={closePanel}
          pinned={<PinnedMessages channelId={c.id} me={me} onOpen={(mid, seq) => setParams({ m: String(mid), seq: String(seq), panel: 'info' })} />}
        />
      )}
      {thread === null && panel === 'search' && (
        <SearchPanel initialChannelId={c.id} onClose={closePanel} onOpen={(m) => navigate(messagePath(m.channel_id, m) + (m.reply_to_id == null ? '&panel=search' : ''))} />
      )}
      {thread === null && panel === 'settings' && <ChannelSettings channel={c} me={me} onClose={closePanel} />}
    </div>
  );
}

function Droppable({ enabled, onFiles, label, children }: { enabled: boolean; onFiles: (files: File[]) => void; label: string; children: ReactNode }) {
  return enabled ? (
    <DropZone onFiles={onFiles} label={label}>
      {children}
    </DropZone>
  ) : (
    <>{children}</>
  );
}
