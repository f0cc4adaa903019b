/** The design was cancelled (the caller's signal fired): one error, from the loop or mid-request. */
import { GenAutoMLError } from '../errors.js';

export function designCancelled(cause?: unknown): GenAutoMLError {
  return new GenAutoMLError('architect.cancelled', 'The model design was cancelled.', {
    hint: 'Nothing was stored; run the request again when ready.',
    ...(cause === undefined ? {} : { cause }),
  });
}
