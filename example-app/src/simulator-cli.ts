// `npm run simulator`: the 7Geese simulator on its own, for pointing any app at it in development.
import { DEMO_CLIENT, DEMO_USERS, startSimulator } from 'passport-7geese/testing';

const portText = process.env.PORT ?? '4000';
const port = Number(portText);
if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
  console.error(`simulator: PORT must be a whole number from 1 to 65535, got ${JSON.stringify(portText)}.`);
  process.exit(1);
}
try {
  const sim = await startSimulator({ port });
  console.log(`7Geese simulator running at ${sim.baseURL}`);
  console.log(`  client id:      ${DEMO_CLIENT.clientId}`);
  console.log(`  client secret:  ${DEMO_CLIENT.clientSecret}`);
  console.log(`  redirect URIs:  ${DEMO_CLIENT.redirectUris.join(' ')}`);
  console.log(`  demo people:    ${DEMO_USERS.map((u) => `${u.email} / ${u.password}`).join(', ')}`);
  console.log(`Point an app at it with SEVENGEESE_BASE_URL=${sim.baseURL} and the client above.`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  console.error(`simulator could not start on port ${port}: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
