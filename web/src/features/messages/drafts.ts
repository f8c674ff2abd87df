// Drafts survive reloads and expired sessions: one per channel (and per thread) in localStorage.
const PREFIX = 'tandem.draft.';

export function loadDraft(key: string): string {
  try {
    return localStorage.getItem(PREFIX + key) ?? '';
  } catch {
    return '';
  }
}

export function saveDraft(key: string, text: string) {
  try {
    if (text) localStorage.setItem(PREFIX + key, text);
    else localStorage.removeItem(PREFIX + key);
  } catch {
    // Storage full or disabled: the draft lives only in memory.
  }
}
