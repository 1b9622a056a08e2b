/**
 * `npm run inbound -- <file.eml> [...]`: feeds raw emails (a calendar reply, say) to the running
 * local stack exactly as SES receiving would (local/inbound-feed.ts).
 */
import { readFileSync } from 'node:fs';
import { countyById } from '../lib/counties.ts';
import { feedInboundEmail } from './inbound-feed.ts';
import { readStackFile } from './stack-file.ts';

const files = process.argv.slice(2).filter((a) => a !== '--');
if (files.length === 0) {
  console.error('usage: npm run inbound -- <file.eml> [more.eml …]');
  process.exit(2);
}
const stack = readStackFile();
if (!stack.inbound || !stack.endpoints.s3 || !stack.endpoints.sns) {
  console.error('.local/stack.json has no inbound mail endpoints; restart `npm start` with this version');
  process.exit(1);
}
const target = { endpoints: { s3: stack.endpoints.s3, sns: stack.endpoints.sns }, inbound: stack.inbound };
for (const file of files) {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (error) {
    console.error(`cannot read ${file}: ${(error as Error).message}`);
    process.exit(1);
  }
  const { messageId } = await feedInboundEmail(target, raw, {
    recipient: countyById(stack.county).calendarReplyAddress,
  });
  console.log(`${file}: received as ${messageId}; the inbound-mail consumer handles it (see ${stack.log})`);
}
