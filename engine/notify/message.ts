/**
 * A platform-neutral chat message. Notifications and the bots build these; each platform's
 * renderer (Slack Block Kit, Discord embeds, plain JSON, terminal text) turns them into its format.
 */
export interface MessageTable {
  columns: string[];
  rows: string[][];
}

export interface MessageImage {
  name: string;
  title: string;
  png: Buffer;
}

export interface ChatMessage {
  title: string;
  /** Markdown-light text: *bold*, `code`, line breaks. */
  text?: string;
  fields?: { name: string; value: string }[];
  table?: MessageTable;
  images?: MessageImage[];
  code?: { language: string; text: string; filename: string };
  /** Follow-up actions shown as buttons where the platform has them. */
  buttons?: { label: string; command: string }[];
  footer?: string;
  /** 'good' | 'warning' | 'danger' colours the message where supported. */
  tone?: 'good' | 'warning' | 'danger' | 'neutral';
}

/** A fixed-width text table, for platforms without native tables and for terminals. */
export function renderTextTable(table: MessageTable): string {
  const widths = table.columns.map((c, i) => Math.max(c.length, ...table.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(table.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...table.rows.map(line)].join('\n');
}

/** The whole message as plain text (terminal output, fallbacks, plain JSON webhooks). */
export function renderPlainText(msg: ChatMessage): string {
  const parts = [msg.title];
  if (msg.text) parts.push(msg.text);
  if (msg.fields?.length) parts.push(msg.fields.map((f) => `${f.name}: ${f.value}`).join('\n'));
  if (msg.table) parts.push(renderTextTable(msg.table));
  if (msg.footer) parts.push(msg.footer);
  return parts.join('\n\n');
}
