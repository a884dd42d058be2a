/** resource.Quantity parsing, canonical formatting and arithmetic. */
export * from './quantity.js';
