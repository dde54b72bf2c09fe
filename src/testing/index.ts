export { startSimulator, Simulator } from './simulator.js';
export { DEMO_CLIENT, DEMO_USERS } from './demo-data.js';
export { describeScope } from './consent-page.js';
export type {
  EndpointName,
  Fault,
  IssuedTokens,
  RecordedRequest,
  SimulatedClient,
  SimulatedUser,
  SimulatorOptions,
} from './types.js';
