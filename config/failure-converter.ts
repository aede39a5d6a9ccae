/**
 * The failure converter used wherever payloads are encrypted (R-SEC-1): a failure's message and
 * stack trace move into its `encodedAttributes` payload, which the payload codec encrypts like
 * any other payload. Without it an error such as "SMS to 13912345678 rejected" or a workflow
 * failure quoting a report would sit in the history in clear, whatever the codec does.
 *
 * Loaded by path (`failureConverterPath`): the workflow bundle, the worker and the clients each
 * `require` this file, so it imports nothing but `@temporalio/common` (it runs in the workflow
 * sandbox too). Decoding needs nothing special: every SDK converter reads `encodedAttributes`.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
