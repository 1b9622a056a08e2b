/**
 * The invitation pages on the embedded stack (issue 13), in a process of their own like a Lambda
 * function: a plain HTTP server on 127.0.0.1 that hands each request to the production handler
 * (functions/invitation-page/handler.ts, configured by the same environment as in AWS) as an API
 * Gateway HTTP API payload 2.0 event. Its log lines go to the runtime log, like the consumers'.
 * Started by local/runtime.ts; it tells its parent its URL over IPC.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { MAX_BODY_BYTES } from '../functions/invitation-page/http.ts';
import { endWithParent } from './child.ts';

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

const main = async () => {
  type Handler = (e: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
  const { handler: pages } = (await import('../functions/invitation-page/handler.ts')) as {
    handler: Handler;
  };
  // The evaluation pages (issue 15) are a function of their own, on the same API (its routes).
  const { handler: evaluation } = (await import('../functions/evaluation-page/handler.ts')) as {
    handler: Handler;
  };
  const handler = (e: APIGatewayProxyEventV2) => (/^\/[epf]\//.test(e.rawPath) ? evaluation(e) : pages(e));
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const body = await readBody(req);
      const headers: Record<string, string> = {
        ...Object.fromEntries(
          Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
        ),
        // API Gateway says how the browser reached it; here, plain http.
        'x-forwarded-proto': 'http',
      };
      const cookies = headers.cookie ? headers.cookie.split(/;\s*/) : undefined;
      delete headers.cookie;
      const event = {
        version: '2.0',
        routeKey: '$default',
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        ...(cookies ? { cookies } : {}),
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
      const setCookies = out.cookies?.length ? { 'set-cookie': out.cookies } : {};
      res.writeHead(out.statusCode ?? 200, { ...(out.headers as Record<string, string>), ...setCookies });
      res.end(out.body ?? '');
    } catch {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error');
    }
  });
  const port = Number(process.env.PAGES_PORT ?? 0);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  const stop = () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 500).unref();
  };
  endWithParent(stop);
};

main().catch((error: Error) => {
  process.send?.({ failed: error.message });
  process.exit(1);
});
