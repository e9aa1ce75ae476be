/** A PostgreSQL identifier (schema, table, channel) quoted for SQL text: names here come from options, not constants. */
export const quoted = (name: string): string => `"${name.replaceAll('"', '""')}"`;
