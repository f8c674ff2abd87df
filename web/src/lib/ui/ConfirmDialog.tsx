import type { ReactNode } from 'react';
import { Modal } from './Modal';

/**
 * Asking before doing something that cannot be taken back: `children` (what it does), then Cancel
 * and the button that does it (`confirmLabel`, danger unless `primary`).
 */
export function ConfirmDialog({
  title,
  onClose,
  confirmId,
  confirmLabel,
  onConfirm,
  primary,
  children,
}: {
  title: string;
  onClose: () => void;
  /** The confirming button's id. */
  confirmId: string;
  confirmLabel: string;
  onConfirm: () => void;
  /** The confirming button as a primary one rather than a danger one. */
  primary?: boolean;
  children: ReactNode;
}) {
  return (
    <Modal title={title} onClose={onClose}>
      <p>{children}</p>
      <div className="dialog-buttons">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className={`button ${primary ? 'primary' : 'danger'}`} id={confirmId} onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
