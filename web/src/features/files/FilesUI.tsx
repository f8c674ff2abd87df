import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Message } from '../../lib/types';
import { Icon } from '../../lib/ui/Icon';
import { fileUrl, formatSize } from './upload';
import type { Upload } from './useUploads';

export function AttachButton({ onFiles }: { onFiles: (files: File[]) => void }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" id="fileButton" className="icon-button" aria-label="Attach files" title="Attach files" onClick={() => input.current?.click()}>
        <Icon name="paperclip" />
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        aria-label="Files to share"
        onChange={(e) => {
          onFiles([...(e.target.files ?? [])]);
          e.target.value = '';
        }}
      />
    </>
  );
}

/** Wraps the conversation: files dropped anywhere on it are shared. */
export function DropZone({ onFiles, label, children }: { onFiles: (files: File[]) => void; label: string; children: ReactNode }) {
  const [over, setOver] = useState(0);
  const hasFiles = (e: React.DragEvent) => [...e.dataTransfer.types].includes('Files');
  return (
    <div
      className="drop-zone"
      onDragEnter={(e) => hasFiles(e) && (e.preventDefault(), setOver((n) => n + 1))}
      onDragOver={(e) => hasFiles(e) && e.preventDefault()}
      onDragLeave={(e) => hasFiles(e) && setOver((n) => Math.max(0, n - 1))}
      onDrop={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        setOver(0);
        onFiles([...e.dataTransfer.files]);
      }}
    >
      {children}
      {over > 0 && (
        <div className="drop-overlay" aria-hidden>
          <Icon name="paperclip" size={28} />
          <span>{label}</span>
        </div>
      )}
    </div>
  );
}

function LocalPreview({ file }: { file: File }) {
  const url = useMemo(() => (file.type.startsWith('image/') ? URL.createObjectURL(file) : null), [file]);
  useEffect(() => () => void (url && URL.revokeObjectURL(url)), [url]);
  return url ? <img className="upload-thumb" src={url} alt="" /> : <span className="upload-thumb file-icon"><Icon name="paperclip" size={16} /></span>;
}

export function UploadList({ uploads, onRetry, onDismiss }: { uploads: Upload[]; onRetry: (u: Upload) => void; onDismiss: (id: string) => void }) {
  if (!uploads.length) return null;
  return (
    <ul className="uploads" aria-label="Uploads">
      {uploads.map((u) => (
        <li key={u.id} className={`upload ${u.state}`}>
          <LocalPreview file={u.files[0]!} />
          <div className="upload-body">
            <div className="upload-name">
              {u.files.map((f) => f.name).join(', ')} <span className="muted">{formatSize(u.files.reduce((n, f) => n + f.size, 0))}</span>
            </div>
            {u.state === 'uploading' ? (
              <progress max={1} value={u.progress} aria-label={`Uploading ${u.files[0]!.name}`} />
            ) : (
              <div className="form-error" role="alert">
                {u.error}{' '}
                <button type="button" className="button small" onClick={() => onRetry(u)}>
                  Retry
                </button>{' '}
                <button type="button" className="button small" onClick={() => onDismiss(u.id)}>
                  Dismiss
                </button>
              </div>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}

/** A message's files: images as previews (once processed), anything else as a download. */
export function Attachments({ message }: { message: Message }) {
  if (!message.attachments.length || message.is_deleted) return null;
  return (
    <div className="attachments">
      {message.attachments.map((a) => {
        const href = fileUrl(a.file_url);
        const thumb = a.inline && a.thumbnail_url ? fileUrl(a.thumbnail_url) : null;
        const full = a.preview_url ? fileUrl(a.preview_url) : href;
        if (thumb && full) {
          return (
            <a key={a.id} className="attachment-image" href={full} target="_blank" rel="noopener noreferrer" title={a.filename}>
              <img src={thumb} alt={a.filename} loading="lazy" width={a.width ?? undefined} height={a.height ?? undefined} />
            </a>
          );
        }
        return (
          <a key={a.id} className="attachment-file" href={href ?? undefined} download={a.filename}>
            <Icon name="paperclip" size={16} />
            <span className="attachment-name">{a.filename}</span>
            <span className="muted">{formatSize(a.file_size)}</span>
          </a>
        );
      })}
    </div>
  );
}
