/**
 * The HTTP ceiling: an Express 5 app in its own process, as the API runs, whose POST /incidents
 * parses the same JSON body and answers 201 at once, without Temporal. Whatever the real API
 * does above this costs is the engine's. Prints `listening <port>` when ready.
 */
import { randomBytes } from 'node:crypto';
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '64kb' }));
app.post('/incidents', (req, res) => {
  const id = `INC-${randomBytes(6).toString('hex').toUpperCase()}`;
  res.status(201).location(`/incidents/${id}`).json({ id, title: (req.body as { title?: string }).title ?? null });
});
const server = app.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : '?'}\n`);
});
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
