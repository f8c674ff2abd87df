import { useCallback, useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { newId } from '../../lib/format';
import { uploadFiles } from './upload';

export interface Upload {
  id: string;
  files: File[];
  /** 0–1 of the bytes sent. */
  progress: number;
  state: 'uploading' | 'failed';
  error?: string;
}

/** Uploads to one channel: each batch is one message; done ones disappear (the message shows). */
export function useUploads(channelId: number) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const patch = (id: string, change: Partial<Upload>) => setUploads((list) => list.map((u) => (u.id === id ? { ...u, ...change } : u)));

  const run = useCallback(
    async (id: string, files: File[]) => {
      try {
        await uploadFiles({ channelId, files, clientMsgId: id }, (progress) => patch(id, { progress }));
        setUploads((list) => list.filter((u) => u.id !== id));
      } catch (error) {
        patch(id, { state: 'failed', error: errorMessage(error) });
      }
    },
    [channelId],
  );

  const start = useCallback(
    (files: File[]) => {
      if (!files.length) return;
      const id = newId();
      setUploads((list) => [...list, { id, files, progress: 0, state: 'uploading' }]);
      void run(id, files);
    },
    [run],
  );

  const retry = (upload: Upload) => {
    patch(upload.id, { state: 'uploading', progress: 0, error: undefined });
    void run(upload.id, upload.files);
  };
  const dismiss = (id: string) => setUploads((list) => list.filter((u) => u.id !== id));

  return { uploads, start, retry, dismiss };
}
