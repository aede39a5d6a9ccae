/**
 * The API process: `npm run api`. Connects lazily, so it starts (and answers 503) even while
 * Temporal is down, and picks the connection up as soon as Temporal is back.
 */
import { Client, Connection } from '@temporalio/client';
import { readEnvironment, readTemporalTarget } from '../config/env';
import { createApp } from './app';

async function main(): Promise<void> {
  const environment = readEnvironment();
  const target = readTemporalTarget();
  const connection = Connection.lazy(target.connectionOptions);
  const client = new Client({ connection, namespace: target.namespace });
  const app = createApp({ client, namespace: target.namespace, temporalUiUrl: environment.TEMPORAL_UI_URL });
  const server = app.listen(environment.PORT, () => {
    console.log(`API listening on http://localhost:${environment.PORT} (Temporal ${target.address}, namespace ${target.namespace})`);
  });
  const stop = () => {
    server.close(() => {
      void connection.close().finally(() => process.exit(0));
    });
    server.closeAllConnections();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error('api failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
