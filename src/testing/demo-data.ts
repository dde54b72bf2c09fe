import type { SimulatedClient, SimulatedUser } from './types.js';

function avatar(initials: string, color: string): string {
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">` +
    `<rect width="96" height="96" rx="48" fill="${color}"/>` +
    `<text x="48" y="60" font-family="Helvetica,Arial,sans-serif" font-size="36" fill="#fff" text-anchor="middle">${initials}</text></svg>`;
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/** A few people to sign in as; their photos are inline images, so they show offline. */
export const DEMO_USERS: readonly SimulatedUser[] = Object.freeze([
  { id: 1, email: 'ada@example.com', password: 'ada-password', first_name: 'Ada', last_name: 'Lovelace', username: 'ada', position: 'Head of Analytics', profile_img: avatar('AL', '#2f855a') },
  { id: 2, email: 'grace@example.com', password: 'grace-password', first_name: 'Grace', last_name: 'Hopper', username: 'grace', position: 'Engineering Manager', profile_img: avatar('GH', '#2b6cb0') },
  { id: 3, email: 'alan@example.com', password: 'alan-password', first_name: 'Alan', last_name: 'Turing', username: 'alan', position: 'Research Lead', profile_img: avatar('AT', '#b7791f') },
  { id: 4, email: 'katherine@example.com', password: 'katherine-password', first_name: 'Katherine', last_name: 'Johnson', username: 'katherine', position: 'Flight Dynamics', profile_img: avatar('KJ', '#9b2c2c') },
]);

/** The client the example app uses against the simulator. */
export const DEMO_CLIENT: SimulatedClient = Object.freeze({
  clientId: 'demo-client-id',
  clientSecret: 'demo-client-secret',
  name: 'passport-7geese example app',
  redirectUris: ['http://localhost:3000/auth/7geese/callback', 'http://127.0.0.1:3000/auth/7geese/callback'],
});

const TOPICS = ['Launch the mobile app', 'Reduce support backlog', 'Hire two engineers', 'Improve onboarding', 'Close Q4 books', 'Ship dark mode', 'Run the customer survey', 'Cut cloud costs', 'Publish the API docs', 'Plan the offsite'];

/** Seeded objectives for one user. */
export function seedObjectives(ownerId: number, count: number, firstId: number): Array<Record<string, unknown>> {
  return Array.from({ length: count }, (_, i) => ({
    id: firstId + i,
    name: TOPICS[(ownerId + i) % TOPICS.length]!,
    description: `Objective ${i + 1} of user ${ownerId}.`,
    progress: (ownerId * 17 + i * 23) % 101,
    due_date: `2027-0${(i % 9) + 1}-15`,
    owner: ownerId,
  }));
}
