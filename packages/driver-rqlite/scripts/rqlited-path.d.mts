/** The rqlited binary the `rqlite` dev dependency ships for this platform. */
export function rqlitedPath(): string;
