/** The `sqld` binary of the `sqld` package's platform package. */
export function sqldBinary(): string;
