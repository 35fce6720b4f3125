// The Docker Engine API: wire types (types.ts), the client (client.ts), the event stream's JSON framing
// (jsonSplitter.ts), API version choice (apiVersion.ts) and error mapping (errors.ts).
export type { ContainerInspect, ContainerSummary, EngineEvent, EngineInfo, EngineVersion } from './types';
export { DEFAULT_DOCKER_SOCKET, DockerEngine } from './client';
export { chooseApiPrefix } from './apiVersion';
export { JsonObjectSplitter } from './jsonSplitter';
export { dockerSocketError } from './errors';
