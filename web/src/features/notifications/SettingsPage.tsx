import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, errorMessage } from '../../lib/errors';
import { Icon } from '../../lib/ui/Icon';
import type { EmailDigest, Language, NotificationSettings, NotificationSettingsUpdate } from './api';
import { askPermission, browserPermission, useNotificationSettings, useSaveNotificationSettings, type Permission } from './settings';

const DIGESTS: { value: EmailDigest; label: string }[] = [
  { value: 'immediately', label: 'One email per notification' },
  { value: 'hourly', label: 'An hourly summary' },
  { value: 'daily', label: 'A daily summary' },
  { value: 'never', label: 'Never' },
];

const LANGUAGES: { value: Language; label: string }[] = [
  { value: 'en', label: 'English' },
  { value: 'es', label: 'Español' },
];

const deviceZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

function timeZones(current: string): string[] {
  const all: string[] = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const zones = new Set(all);
  for (const z of ['UTC', current, deviceZone()]) if (z) zones.add(z);
  return [...zones].sort((a, b) => (a === 'UTC' ? -1 : b === 'UTC' ? 1 : a.localeCompare(b)));
}

/** The person's notification settings: email, desktop, do-not-disturb hours, time zone, language. */
export function NotificationSettingsPage({ onMenu }: { onMenu?: () => void }) {
  const settings = useNotificationSettings();
  return (
    <div className="page">
      <header className="page-header">
        {onMenu && (
          <button type="button" className="icon-button menu-button" aria-label="Open the sidebar" onClick={onMenu}>
            <Icon name="menu" />
          </button>
        )}
        <h1>Notification settings</h1>
      </header>
      <div className="page-body">
        {settings.error && (
          <p className="form-error" role="alert">
            {errorMessage(settings.error)}
          </p>
        )}
        {settings.isPending && <p className="muted">Loading…</p>}
        {settings.data && <SettingsForm saved={settings.data} />}
      </div>
    </div>
  );
}

/** What the form edits: every writable setting, do-not-disturb hours as `HH:MM` or null. */
type Form = Omit<NotificationSettings, 'dnd_active' | 'dnd_start' | 'dnd_end' | 'language'> & { dnd_start: string | null; dnd_end: string | null; language: Language };

function SettingsForm({ saved }: { saved: NotificationSettings }) {
  const save = useSaveNotificationSettings();
  const [form, setForm] = useState<Form>(() => writable(saved));
  const [dnd, setDnd] = useState(saved.dnd_start != null && saved.dnd_end != null);
  const [permission, setPermission] = useState<Permission>(browserPermission);
  const [done, setDone] = useState(false);
  const zones = useMemo(() => timeZones(saved.time_zone), [saved.time_zone]);
  const device = deviceZone();
  const set = <K extends keyof Form>(key: K, value: Form[K]) => {
    setDone(false);
    setForm((f) => ({ ...f, [key]: value }));
  };
  const [local, setLocal] = useState<Partial<Record<keyof Form, string>>>({});
  const fieldError = (name: keyof Form) => local[name] ?? (save.error instanceof ApiError ? save.error.field(name) : undefined);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    if (dnd && (!form.dnd_start || !form.dnd_end)) {
      setLocal({ [form.dnd_start ? 'dnd_end' : 'dnd_start']: 'Choose when do not disturb starts and ends.' });
      return;
    }
    setLocal({});
    const wanted: Form = { ...form, dnd_start: dnd ? form.dnd_start : null, dnd_end: dnd ? form.dnd_end : null };
    const before = writable(saved);
    const changes = Object.fromEntries(
      Object.entries(wanted).filter(([k, v]) => before[k as keyof Form] !== v),
    ) as NotificationSettingsUpdate;
    save.mutate(changes, {
      onSuccess: (answer) => {
        setForm(writable(answer));
        setDnd(answer.dnd_start != null && answer.dnd_end != null);
        setDone(true);
      },
    });
  };

  const desktopNote =
    permission === 'denied'
      ? 'This browser blocks notifications from Tandem: allow them in its site settings.'
      : permission === 'unsupported'
        ? 'This browser cannot show notifications.'
        : permission === 'default' && form.desktop_enabled
          ? 'This browser has not been allowed to show them yet.'
          : null;

  /** A control's id, and the hint and error that describe it. */
  const field = (id: string, name: keyof Form, hasHint = false) => {
    const error = fieldError(name);
    const described = [hasHint && `${id}Hint`, error && `${id}Error`].filter(Boolean).join(' ');
    return { id, 'aria-describedby': described || undefined, 'aria-invalid': error ? true : undefined };
  };

  return (
    <form className="form settings-form" onSubmit={onSubmit} aria-label="Notification settings" noValidate>
      <Card title="Email" description="About notifications you have not seen in Tandem.">
        <label className="checkbox">
          <input type="checkbox" id="emailEnabled" checked={form.email_enabled} onChange={(e) => set('email_enabled', e.target.checked)} />
          <span>Email me about notifications I have not read</span>
        </label>
        <Field id="emailDigest" label="How often" error={fieldError('email_digest')}>
          <select {...field('emailDigest', 'email_digest')} value={form.email_digest} disabled={!form.email_enabled} onChange={(e) => set('email_digest', e.target.value as EmailDigest)}>
            {DIGESTS.map((d) => (
              <option key={d.value} value={d.value}>
                {d.label}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="emailDelay"
          label="Wait before emailing (minutes)"
          hint="Nothing is sent about what you read in the meantime. From 0 to 1440 (a day)."
          error={fieldError('email_delay_minutes')}
        >
          <input
            {...field('emailDelay', 'email_delay_minutes', true)}
            type="number"
            inputMode="numeric"
            min={0}
            max={1440}
            step={1}
            disabled={!form.email_enabled}
            value={Number.isNaN(form.email_delay_minutes) ? '' : form.email_delay_minutes}
            onChange={(e) => set('email_delay_minutes', e.target.value === '' ? NaN : Number(e.target.value))}
          />
        </Field>
      </Card>

      <Card title="Desktop" description="A pop-up from your browser when something arrives while you look elsewhere.">
        <label className="checkbox">
          <input
            type="checkbox"
            id="desktopEnabled"
            checked={form.desktop_enabled}
            onChange={(e) => {
              const on = e.target.checked;
              set('desktop_enabled', on);
              if (on) void askPermission().then(setPermission);
            }}
            aria-describedby={desktopNote ? 'desktopNote' : undefined}
          />
          <span>Show desktop notifications</span>
        </label>
        {desktopNote && (
          <p className="hint" id="desktopNote">
            {desktopNote}{' '}
            {permission === 'default' && (
              <button type="button" className="link-button" onClick={() => void askPermission().then(setPermission)}>
                Allow them
              </button>
            )}
          </p>
        )}
      </Card>

      <Card title="Do not disturb" description="During these hours notifications still arrive in Tandem, silently, and wait to be emailed.">
        {saved.dnd_active && (
          <p className="notice" role="status">
            Do not disturb is on right now.
          </p>
        )}
        <label className="checkbox">
          <input
            type="checkbox"
            id="dndEnabled"
            checked={dnd}
            onChange={(e) => {
              setDone(false);
              setDnd(e.target.checked);
              if (e.target.checked && !form.dnd_start && !form.dnd_end) setForm((f) => ({ ...f, dnd_start: '22:00', dnd_end: '08:00' }));
            }}
          />
          <span>Pause notifications every day</span>
        </label>
        <div className="field-row">
          <Field id="dndStart" label="From" error={fieldError('dnd_start')}>
            <input {...field('dndStart', 'dnd_start')} type="time" disabled={!dnd} value={form.dnd_start ?? ''} onChange={(e) => set('dnd_start', e.target.value || null)} />
          </Field>
          <Field id="dndEnd" label="To" error={fieldError('dnd_end')}>
            <input {...field('dndEnd', 'dnd_end')} type="time" disabled={!dnd} value={form.dnd_end ?? ''} onChange={(e) => set('dnd_end', e.target.value || null)} />
          </Field>
        </div>
        <Field id="timeZone" label="Time zone" error={fieldError('time_zone')}>
          <select {...field('timeZone', 'time_zone')} value={form.time_zone} onChange={(e) => set('time_zone', e.target.value)}>
            {zones.map((z) => (
              <option key={z} value={z}>
                {z.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </Field>
        {device && form.time_zone !== device && (
          <button type="button" className="link-button" onClick={() => set('time_zone', device)}>
            Use this device’s time zone ({device.replace(/_/g, ' ')})
          </button>
        )}
      </Card>

      <Card title="Language" description="The language of the emails Tandem sends you.">
        <Field id="language" label="Language" error={fieldError('language')}>
          <select {...field('language', 'language')} value={form.language} onChange={(e) => set('language', e.target.value as Language)}>
            {LANGUAGES.map((l) => (
              <option key={l.value} value={l.value} lang={l.value}>
                {l.label}
              </option>
            ))}
          </select>
        </Field>
      </Card>

      <div className="settings-actions">
        {save.error && (
          <p className="form-error" role="alert" id="settingsError">
            {errorMessage(save.error)}
          </p>
        )}
        {Object.values(local).length > 0 && (
          <p className="form-error" role="alert">
            {Object.values(local)[0]}
          </p>
        )}
        {done && (
          <p className="notice" role="status">
            Saved.
          </p>
        )}
        <button className="button primary" id="saveNotificationSettings" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save settings'}
        </button>
      </div>
    </form>
  );
}

function writable(s: NotificationSettings): Form {
  return {
    email_enabled: s.email_enabled,
    email_delay_minutes: s.email_delay_minutes,
    email_digest: s.email_digest,
    desktop_enabled: s.desktop_enabled,
    dnd_start: s.dnd_start ?? null,
    dnd_end: s.dnd_end ?? null,
    time_zone: s.time_zone,
    language: LANGUAGES.find((l) => l.value === s.language)?.value ?? 'en',
  };
}

function Card({ title, description, children }: { title: string; description: string; children: ReactNode }) {
  return (
    <fieldset className="card settings-card">
      <legend className="settings-legend">{title}</legend>
      <p className="hint">{description}</p>
      {children}
    </fieldset>
  );
}

/** A labelled control with its hint and its error, which the control names as its description. */
function Field({ id, label, hint, error, children }: { id: string; label: string; hint?: string; error?: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && (
        <span className="hint" id={`${id}Hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span className="field-error" id={`${id}Error`}>
          {error}
        </span>
      )}
    </div>
  );
}
