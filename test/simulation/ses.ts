/**
 * Simulated SES: it accepts a send, throttles it, refuses it for good, or accepts it and loses
 * the answer (a timeout after the fact). An accepted email lands in the mailbox, and SES's event
 * publishing follows as it does in AWS (configuration set → SNS → the mail-events queue): a Send
 * event, then a Delivery — or, now and then, a Reject — each carrying the email's tags.
 */
import type { SimQueue } from './sqs.ts';
import type { Caller, World } from './world.ts';

export interface SentMail {
  sesMessageId: string;
  raw: string;
  tags: Record<string, string>;
  acceptedAt: number;
  /** The answer was lost: only the Send event can tell the sender. */
  answerLost: boolean;
  /** SES rejected it after accepting it (a Reject event): it never reached the recipient. */
  rejectedLater: boolean;
}

const sesError = (name: string, message: string) =>
  Object.assign(new Error(message), { name, $fault: 'client' });

export class SimSes {
  readonly mailbox: SentMail[] = [];
  /** Every SendEmail that reached SES (accepted or not), and the case its tags name. */
  readonly attempts: { caseId: string; at: number }[] = [];
  /** Recipients SES refuses for good (as an unverified address would be in the sandbox). */
  readonly refused = new Set<string>();
  private n = 0;
  /** Per mille of sends throttled; and of accepted mails that are rejected by SES afterwards. */
  throttle = 0;
  rejectLater = 0;

  constructor(
    private readonly world: World,
    private readonly events: SimQueue,
  ) {}

  private publish(mail: SentMail, eventType: 'Send' | 'Delivery' | 'Reject', delayMs: number) {
    this.world.after(delayMs, () => {
      const ses = {
        eventType,
        mail: {
          timestamp: new Date(mail.acceptedAt).toISOString(),
          source: 'sip@halland.example.se',
          messageId: mail.sesMessageId,
          destination: ['(recipients are not read)'],
          tags: {
            'ses:configuration-set': ['sip'],
            ...Object.fromEntries(Object.entries(mail.tags).map(([k, v]) => [k, [v]])),
          },
        },
        ...(eventType === 'Send'
          ? { send: {} }
          : eventType === 'Reject'
            ? { reject: { reason: 'Bad content' } }
            : { delivery: {} }),
      };
      this.events.send(
        JSON.stringify({
          Type: 'Notification',
          MessageId: `sns-${mail.sesMessageId}-${eventType}`,
          Message: JSON.stringify(ses),
        }),
        0,
        {},
        'upstream',
      );
    });
  }

  client(caller: () => Caller | undefined) {
    return {
      send: (command: {
        constructor: { name: string };
        input: Record<string, unknown>;
      }): Promise<unknown> => {
        const input = command.input as {
          Content: { Raw: { Data: Uint8Array } };
          EmailTags?: { Name: string; Value: string }[];
        };
        const raw = Buffer.from(input.Content.Raw.Data).toString('utf8');
        const to = /^To: (?:.*<)?([^<>\s]+@[^<>\s]+)>?\r?$/m.exec(raw)?.[1] ?? '';
        const tags = Object.fromEntries((input.EmailTags ?? []).map((t) => [t.Name, t.Value]));
        let accepted: SentMail | undefined;
        return this.world.call(
          caller(),
          'ses.SendEmail',
          () => {
            this.attempts.push({
              caseId: Buffer.from(tags.sipCase ?? '', 'base64url').toString('utf8'),
              at: this.world.now,
            });
            // SES's messages may quote the recipient: the code must never log them.
            if (this.world.tape.chance(this.throttle))
              throw sesError('TooManyRequestsException', 'Maximum sending rate exceeded.');
            if (this.refused.has(to))
              throw sesError(
                'MessageRejected',
                `Email address is not verified. The following identities failed the check: ${to}`,
              );
            accepted = {
              sesMessageId: `ses-${++this.n}`,
              raw,
              tags,
              acceptedAt: this.world.now,
              answerLost: false,
              rejectedLater: this.world.tape.chance(this.rejectLater),
            };
            this.mailbox.push(accepted);
            this.publish(accepted, 'Send', 50 + this.world.tape.choose(3000));
            this.publish(
              accepted,
              accepted.rejectedLater ? 'Reject' : 'Delivery',
              500 + this.world.tape.choose(5000),
            );
            return { MessageId: accepted.sesMessageId };
          },
          {
            before: () =>
              sesError('InternalFailure', `simulated: SES failed before taking the message for ${to}`),
            after: () => {
              if (accepted) accepted.answerLost = true;
              return sesError('TimeoutError', 'simulated: the SES answer was lost');
            },
          },
        );
      },
    };
  }
}
