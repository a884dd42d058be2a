/** Errors as Kubernetes Status objects: everything the server and clients need. */
export * from './status.js';
export * from './api-error.js';
export * from './errors.js';
export * from './field-errors.js';
export * from './field-path.js';
export { goQuote } from './go-quote.js';
