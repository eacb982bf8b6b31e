/** The agent's version, reported in every heartbeat. Replaced at bundle time when the builder defines PICKET_AGENT_VERSION. */
declare const PICKET_AGENT_VERSION: string | undefined;
export const AGENT_VERSION: string = typeof PICKET_AGENT_VERSION === 'string' ? PICKET_AGENT_VERSION : '0.1.0';
