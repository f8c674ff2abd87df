import { useLayoutEffect, type ReactNode } from 'react';
import { Icon } from './Icon';

/** A side panel (thread, search, details). Esc closes it unless a dialog inside is open. */
export function Panel({ title, subtitle, onClose, children, id }: { title: string; subtitle?: ReactNode; onClose: () => void; children: ReactNode; id?: string }) {
  // Listening from before the panel is painted: an Esc pressed as soon as it shows closes it.
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented && !document.querySelector('.modal-backdrop')) onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <aside className="panel" aria-label={title} id={id}>
      <header className="panel-header">
        <div>
          <h2>{title}</h2>
          {subtitle && <div className="muted panel-subtitle">{subtitle}</div>}
        </div>
        <button type="button" className="icon-button" onClick={onClose} aria-label={`Close ${title.toLowerCase()}`}>
          <Icon name="close" />
        </button>
      </header>
      <div className="panel-body">{children}</div>
    </aside>
  );
}
