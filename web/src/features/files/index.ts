// File sharing: the attach button, drag and drop with progress, and attachments on messages.
// Shown only when the server documents `POST /api/v1/channels/{channel_id}/files` in
// openapi/openapi.json (detected at build time).
declare const __FILES_API__: boolean;

export const filesEnabled: boolean = typeof __FILES_API__ !== 'undefined' && __FILES_API__;

export { AttachButton, Attachments, DropZone, UploadList } from './FilesUI';
export { useUploads } from './useUploads';
