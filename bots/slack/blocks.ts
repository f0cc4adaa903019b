/** ChatMessage → Slack Block Kit (header, sections, fields, table as a code block, buttons, context). */
import { type ChatMessage, renderPlainText, renderTextTable } from '../../engine/notify/message.js';
import { isLongCode } from '../chat/render.js';

/** The action id of command buttons; the button's value is the command text. */
export const COMMAND_ACTION = 'automl_command';

export type SlackBlock = Record<string, unknown>;

const cut = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const EMOJI: Record<string, string> = { good: ':white_check_mark: ', warning: ':warning: ', danger: ':x: ', neutral: '' };

export function toBlocks(msg: ChatMessage): SlackBlock[] {
  const blocks: SlackBlock[] = [{ type: 'header', text: { type: 'plain_text', text: cut(`${EMOJI[msg.tone ?? 'neutral'] ?? ''}${msg.title}`, 150), emoji: true } }];
  if (msg.text) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(msg.text, 3000) } });
  if (msg.fields?.length) {
    blocks.push({ type: 'section', fields: msg.fields.slice(0, 10).map((f) => ({ type: 'mrkdwn', text: cut(`*${f.name}*\n${f.value}`, 2000) })) });
  }
  if (msg.table) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `\`\`\`${cut(renderTextTable(msg.table), 2990)}\`\`\`` } });
  if (msg.code) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: isLongCode(msg.code.text) ? `Code attached as \`${msg.code.filename}\`.` : `\`\`\`${cut(msg.code.text, 2990)}\`\`\`` },
    });
  }
  if (msg.buttons?.length) {
    blocks.push({
      type: 'actions',
      elements: msg.buttons.slice(0, 25).map((b, i) => ({ type: 'button', action_id: `${COMMAND_ACTION}_${i}`, text: { type: 'plain_text', text: cut(b.label, 75) }, value: cut(b.command, 2000) })),
    });
  }
  if (msg.footer) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: cut(msg.footer, 3000) }] });
  return blocks;
}

/** The notification/accessibility fallback text. */
export function fallbackText(msg: ChatMessage): string {
  return cut(renderPlainText(msg), 3500);
}
