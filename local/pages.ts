/**
 * The invitation pages on the embedded stack (issue 13): a plain HTTP server on 127.0.0.1 that hands
 * each request to the same handler API Gateway calls in AWS (functions/invitation-page/), as an
 * HTTP API payload 2.0 event. In-process: the page is a request/response function, not a consumer.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { sqsOutbox } from '../functions/adapters/outbox.ts';
import { createInvitationPageHandler, MAX_BODY_BYTES } from '../functions/invitation-page/apply.ts';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { CaseStore } from '../functions/adapters/case-store.ts';
import { countyById } from '../lib/counties.ts';

export interface PagesOptions {
  county: string;
  store: CaseStore;
  sqs: SQSClient;
  mailQueueUrl: string;
  linkKey: string;
  contact: string;
  port?: number;
  now?: () => Date;
}

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      // Past the limit the handler refuses it anyway; stop buffering (API Gateway caps bodies too).
      if (size <= MAX_BODY_BYTES + 1) chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

export const startInvitationPages = async (o: PagesOptions) => {
  const county = countyById(o.county);
  const handler = createInvitationPageHandler({
    county,
    store: o.store,
    now: o.now ?? (() => new Date()),
    linkKey: async () => o.linkKey,
    outbox: sqsOutbox(o.mailQueueUrl, county.id, o.sqs),
    contact: o.contact,
  });
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const body = await readBody(req);
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
      );
      const event = {
        version: '2.0',
        routeKey: '$default',
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        ...(url.search ? { queryStringParameters: Object.fromEntries(url.searchParams) } : {}),
        requestContext: {
          http: { method: req.method ?? 'GET', path: url.pathname, sourceIp: req.socket.remoteAddress ?? '' },
          domainName: headers.host ?? '',
        },
        ...(body.length
          ? { body: body.toString('base64'), isBase64Encoded: true }
          : { isBase64Encoded: false }),
      } as unknown as APIGatewayProxyEventV2;
      const out = await handler(event);
      res.writeHead(out.statusCode ?? 200, out.headers as Record<string, string>);
      res.end(out.body ?? '');
    } catch {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error');
    }
  });
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
