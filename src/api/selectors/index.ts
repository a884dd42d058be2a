/** Label and field selectors: parsing with upstream's grammar and messages, and matching. */
export * from './label-selector.js';
export * from './label-selector-conversion.js';
export * from './field-selector.js';
export * from './name-validation.js';
