// Uploads over XMLHttpRequest, which reports progress (fetch does not). One retry after
// renewing an expired token; failures are the API's one `ApiError`.
import { ApiError } from '../../lib/errors';
import { getSession, refresh } from '../../lib/session';
import type { Message } from '../../lib/types';

export interface UploadRequest {
  channelId: number;
  files: File[];
  caption?: string;
  clientMsgId: string;
  replyToId?: number;
}

function send(req: UploadRequest, onProgress: (fraction: number) => void): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const file of req.files) form.append('file', file, file.name);
    if (req.caption) form.append('caption', req.caption);
    form.append('client_msg_id', req.clientMsgId);
    if (req.replyToId != null) form.append('reply_to_id', String(req.replyToId));
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/channels/${req.channelId}/files`);
    const token = getSession()?.accessToken;
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new ApiError(0, { code: 'network_error', message: 'Could not reach the server.' }));
    xhr.send(form);
  });
}

export async function uploadFiles(req: UploadRequest, onProgress: (fraction: number) => void): Promise<Message> {
  let answer = await send(req, onProgress);
  const code = (answer.body as { code?: string } | null)?.code;
  if (answer.status === 401 && (code === 'token_expired' || code === 'invalid_token') && (await refresh())) {
    answer = await send(req, onProgress);
  }
  if (answer.status < 200 || answer.status >= 300) throw ApiError.from(answer.status, answer.body);
  return answer.body as Message;
}

/** `/api/v1/files/...` with the access token, for `<img src>` and download links. */
export function fileUrl(path: string): string | null {
  if (!/^\/api\/v1\/files\/\d+(\/(thumbnail|preview))?$/.test(path)) return null;
  const token = getSession()?.accessToken;
  return token ? `${path}?token=${encodeURIComponent(token)}` : path;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
