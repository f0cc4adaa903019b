/**
 * The database seam. Everything above storage talks SQL through `executeSql`, the same shape
 * pg-boss uses for its `db` option, so the queue and the repositories share one connection
 * strategy whether the backend is embedded PGlite or a PostgreSQL server.
 */
export interface QueryResult<R = Record<string, unknown>> {
  rows: R[];
  rowCount?: number | null;
}

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  /** Schema the project's tables live in (already on the search_path). */
  readonly schema: string;
  executeSql<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
  /** Runs `fn` in one transaction on one connection; rolls back if it throws. */
  transaction<T>(fn: (tx: Pick<Database, 'executeSql'>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
