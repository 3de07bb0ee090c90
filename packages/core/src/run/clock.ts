// Core's lib has no DOM or Node types; both platforms have a high-resolution `performance.now()`.
const clock = (globalThis as { performance?: { now(): number } }).performance;

/** Milliseconds from an arbitrary start, with sub-millisecond resolution where the platform has it. */
export const now = (): number => clock?.now() ?? Date.now();
