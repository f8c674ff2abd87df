// File uploads (drag and drop, progress, image previews) wait for the server's
// `POST /api/v1/channels/{channel_id}/files`. Until openapi/openapi.json documents it,
// `filesEnabled` is false and the app shows nothing of this feature.
declare const __FILES_API__: boolean;

export const filesEnabled: boolean = typeof __FILES_API__ !== 'undefined' && __FILES_API__;

/** The composer's attach button: nothing until the files API exists. */
export function AttachButton(): null {
  return null;
}
