import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState, type FormEvent, type ReactNode } from 'react';
import { call, client } from '../../lib/api';
import { displayName, useEnsureUsers, useUserMap } from '../../lib/directory';
import { ApiError, errorMessage } from '../../lib/errors';
import { formatFull, formatRelative } from '../../lib/format';
import type { components } from '@tandem/client';
import { keys } from '../../lib/queryClient';
import { Field, capitalized } from '../../lib/ui/Field';
import { ConfirmDialog } from '../../lib/ui/ConfirmDialog';
import { FormFooter, ListFeedback } from '../../lib/ui/Feedback';
import { ShownOnce } from '../../lib/ui/ShownOnce';
import { SignatureNote } from '../../lib/ui/SignatureNote';

type SlashCommand = components['schemas']['SlashCommandResponse'];

const COMMANDS = ['admin', 'slash-commands'] as const;

/** A trigger as typed: without spaces around it, nor the `/` people type before a command. */
export function triggerOf(text: string): string {
  return text.trim().replace(/^\/+/, '');
}

/**
 * The organization's own slash commands: `/trigger` typed in any channel `POST`s to an endpoint
 * of theirs, signed with a secret shown once, whose answer is shown to the caller or posted.
 * Listing them, adding one and deleting one.
 */
export function SlashCommandsSection() {
  const [made, setMade] = useState<{ command: SlashCommand; secret: string } | null>(null);
  return (
    <section className="card admin-commands" aria-labelledby="slashCommandsTitle">
      <h2 id="slashCommandsTitle">Slash commands</h2>
      <p className="muted">
        Add your own commands to the composer: typing <code>/deploy api</code> in a channel sends it to your endpoint as a signed JSON{' '}
        <code>POST</code>, and its answer is shown to the person who typed it, or posted in the channel as them. Tandem’s own (<code>/me</code>,{' '}
        <code>/shrug</code>, <code>/invite</code>, <code>/leave</code>, <code>/topic</code>, <code>/mute</code>, <code>/unmute</code>,{' '}
        <code>/help</code>) are always there.
      </p>
      {/* Deleted, the secret just shown is no longer worth copying. */}
      <CommandList onDeleted={(command) => setMade((m) => (m?.command.id === command.id ? null : m))} />
      {made && (
        <ShownOnce
          id="newCommandSecret"
          label="The command’s signing secret"
          what="secret"
          secret={made.secret}
          title={
            <>
              <strong>/{made.command.trigger}</strong> is ready. Copy its signing secret now: it will not be shown again.
            </>
          }
          onDone={() => setMade(null)}
        >
          <VerifyNote />
        </ShownOnce>
      )}
      <MakeCommandForm onMade={(command, secret) => setMade({ command, secret })} onStart={() => setMade(null)} />
    </section>
  );
}

/** How the endpoint checks that a command comes from Tandem, and what it answers. */
function VerifyNote() {
  return (
    <SignatureNote
      intro={
        <>
          Every request of the command is signed with it, as outgoing webhooks are. The endpoint checks, over the raw body, before reading it (in
          constant time), and refuses a timestamp more than five minutes old:
        </>
      }
    >
      <p className="hint">
        It answers <code>{'{"text": "…"}'}</code> for the person who typed the command only, or{' '}
        <code>{'{"response_type": "in_channel", "text": "…"}'}</code> to post it in the channel. An example in JavaScript: docs/integrations.md,
        “Slash commands”.
      </p>
    </SignatureNote>
  );
}

function CommandList({ onDeleted }: { onDeleted: (command: SlashCommand) => void }) {
  const queryClient = useQueryClient();
  const refresh = useCallback(
    () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: COMMANDS }),
        // The composer's suggestions, which list them.
        queryClient.invalidateQueries({ queryKey: keys.commands }),
      ]),
    [queryClient],
  );
  const commands = useQuery({ queryKey: COMMANDS, queryFn: () => call(client.GET('/api/v1/slash-commands')) });
  const list = commands.data?.commands ?? [];
  const users = useUserMap();
  useEnsureUsers(list.map((c) => c.created_by));
  const [confirming, setConfirming] = useState<SlashCommand | null>(null);
  const [notice, setNotice] = useState<ReactNode>(null);
  const close = useCallback(() => setConfirming(null), []);

  const remove = useMutation({
    mutationFn: (command: SlashCommand) =>
      call(client.DELETE('/api/v1/slash-commands/{command_id}', { params: { path: { command_id: command.id } } })),
    onMutate: () => {
      setNotice(null);
      setConfirming(null);
    },
    onSuccess: (_, command) => {
      setNotice(`/${command.trigger} was deleted: typing it no longer does anything.`);
      onDeleted(command);
    },
    onSettled: () => refresh(),
  });
  const error = commands.error ?? remove.error;

  return (
    <div className="token-list">
      <ListFeedback error={error} notice={notice} />
      {commands.isPending ? (
        <p className="muted">Loading…</p>
      ) : list.length === 0 ? (
        <p className="hint">No command of your own yet.</p>
      ) : (
        <table className="table slash-commands" id="slashCommands">
          <thead>
            <tr>
              <th scope="col">Command</th>
              <th scope="col">Description</th>
              <th scope="col">Address</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((c) => (
              <tr key={c.id} data-command-id={c.id}>
                <td>
                  <code className="command-trigger">/{c.trigger}</code>
                  <span className="hint outgoing-made" title={formatFull(c.created_at)}>
                    Made {formatRelative(c.created_at)} by {displayName(users.get(c.created_by), 'an admin')}
                  </span>
                </td>
                <td>{c.description || <span className="muted">none</span>}</td>
                <td className="outgoing-url">{c.url}</td>
                <td>
                  <span className="row-actions">
                    <button
                      type="button"
                      className="button small danger"
                      aria-label={`Delete /${c.trigger}`}
                      disabled={remove.isPending && remove.variables?.id === c.id}
                      onClick={() => setConfirming(c)}
                    >
                      Delete
                    </button>
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {confirming && (
        <ConfirmDialog
          title="Delete a slash command"
          onClose={close}
          confirmId="confirmDeleteSlashCommand"
          confirmLabel="Delete command"
          onConfirm={() => remove.mutate(confirming)}
        >
          Typing <strong>/{confirming.trigger}</strong> will no longer reach {confirming.url}, and its signing secret stops being used. This cannot be
          undone: to have it back, add it again (with a new secret).
        </ConfirmDialog>
      )}
    </div>
  );
}

interface Fields {
  trigger: string;
  url: string;
  description: string;
}
const EMPTY: Fields = { trigger: '', url: '', description: '' };
const FIELDS = ['trigger', 'url', 'description'] as const;
type FieldName = (typeof FIELDS)[number];

function MakeCommandForm({ onMade, onStart }: { onMade: (command: SlashCommand, secret: string) => void; onStart: () => void }) {
  const queryClient = useQueryClient();
  const [fields, setFields] = useState<Fields>(EMPTY);
  const make = useMutation({
    mutationFn: (body: components['schemas']['CreateCommandRequest']) => call(client.POST('/api/v1/slash-commands', { body })),
    onMutate: () => onStart(),
    onSuccess: (made) => {
      onMade(made.command, made.secret);
      setFields(EMPTY);
      void queryClient.invalidateQueries({ queryKey: COMMANDS });
      void queryClient.invalidateQueries({ queryKey: keys.commands });
    },
  });
  const fieldError = (name: FieldName): string | undefined => {
    if (!(make.error instanceof ApiError)) return undefined;
    // The address may not be reached from here: say so plainly, then the server's why (which
    // address, who may allow it).
    if (name === 'url' && make.error.code === 'address_not_allowed') {
      return `Commands may not send to this address. ${capitalized(make.error.message)}`;
    }
    if (name === 'trigger' && make.error.code === 'trigger_taken') return capitalized(make.error.message);
    const found = make.error.details?.find((d) => d.field === name && d.code !== 'too_many_commands');
    return found ? capitalized(found.message) : undefined;
  };
  const byField = FIELDS.some((name) => fieldError(name));
  const tooMany = make.error instanceof ApiError ? make.error.detail('too_many_commands') : undefined;
  const set = (name: keyof Fields) => (e: { target: { value: string } }) => setFields({ ...fields, [name]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const description = fields.description.trim();
    make.mutate({ trigger: triggerOf(fields.trigger), url: fields.url.trim(), ...(description ? { description } : {}) });
  };

  return (
    <form className="form token-form commands-form" onSubmit={submit} aria-label="Add a slash command">
      <h3>Add a slash command</h3>
      <div className="field-row">
        <Field id="commandTrigger" label="Command" error={fieldError('trigger')} hint="What is typed after /: lower-case letters, digits, - or _.">
          {(a11y) => (
            <input
              id="commandTrigger"
              value={fields.trigger}
              onChange={set('trigger')}
              required
              maxLength={33}
              placeholder="deploy"
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              {...a11y}
            />
          )}
        </Field>
        <Field id="commandUrl" label="Address" error={fieldError('url')} hint="The endpoint’s https:// address, at a public host.">
          {(a11y) => (
            <input
              id="commandUrl"
              type="url"
              value={fields.url}
              onChange={set('url')}
              required
              placeholder="https://ci.example.com/tandem-command"
              autoComplete="off"
              spellCheck={false}
              {...a11y}
            />
          )}
        </Field>
      </div>
      <Field
        id="commandDescription"
        label="Description"
        error={fieldError('description')}
        hint="Optional: what it does, shown in the composer’s suggestions and by /help (200 characters at most)."
      >
        {(a11y) => (
          <input
            id="commandDescription"
            value={fields.description}
            onChange={set('description')}
            maxLength={200}
            placeholder="Deploy a service: /deploy <service>"
            autoComplete="off"
            {...a11y}
          />
        )}
      </Field>
      <FormFooter
        error={
          make.error &&
          (byField ? 'The command was not added: see the fields marked above.' : tooMany ? capitalized(tooMany.message) : errorMessage(make.error))
        }
        id="addSlashCommand"
        pending={make.isPending}
        label="Add command"
        busyLabel="Adding it…"
      />
    </form>
  );
}
