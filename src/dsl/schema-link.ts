/**
 * Compile-time link between the schema (schema.ts) and the raw types (raw.ts): if a key is added
 * to one and not the other, `tsc` fails here. Nothing in this module runs.
 */
import type * as S from './schema.js';
import type * as R from './raw.js';

/** true when A and B are the same set of keys, else a description of the difference. */
type SameKeys<A, B> = [Exclude<A, B>, Exclude<B, A>] extends [never, never]
  ? true
  : { onlyInType: Exclude<A, B>; onlyInSchema: Exclude<B, A> };

type Props<T> = T extends { properties: infer P } ? keyof P : never;

/** Each entry must be `true`; a drift shows the offending keys in the compiler error. */
export type SchemaMatchesTypes = [
  SameKeys<keyof R.RawNode, Props<typeof S.nodeSchema>>,
  SameKeys<keyof R.RawClient, Props<typeof S.clientSchema>>,
  SameKeys<keyof R.RawRoute, Props<typeof S.routeSchema>>,
  SameKeys<keyof R.RawKubeProxy, Props<typeof S.kubeProxySchema>>,
  SameKeys<keyof R.RawCluster, Props<typeof S.clusterSchema>>,
  SameKeys<keyof R.RawContainer, Props<typeof S.containerSchema>>,
  SameKeys<keyof R.RawPodSpec, Props<typeof S.podSpecSchema>>,
  SameKeys<keyof R.RawDeploymentSpec, Props<typeof S.deploymentSpecSchema>>,
  SameKeys<keyof R.RawDeployment, Props<typeof S.deploymentSchema>>,
  SameKeys<keyof R.RawPod, Props<typeof S.podSchema>>,
  SameKeys<keyof R.RawServicePort, Props<typeof S.servicePortSchema>>,
  SameKeys<keyof R.RawServiceSpec, Props<typeof S.serviceSpecSchema>>,
  SameKeys<keyof R.RawService, Props<typeof S.serviceSchema>>,
  SameKeys<keyof R.RawEndpoints, Props<typeof S.endpointsSchema>>,
  SameKeys<keyof R.RawEndpointSlice, Props<typeof S.endpointSliceSchema>>,
  SameKeys<keyof R.RawSliceEndpoint, Props<typeof S.sliceEndpointSchema>>,
  SameKeys<keyof R.RawExpect, Props<typeof S.expectSchema>>,
  SameKeys<keyof R.RawSendSpec, Props<typeof S.sendSpecSchema>>,
  SameKeys<keyof R.RawSendStep, Props<typeof S.sendStepSchema>>,
  SameKeys<keyof R.RawDivergence, Props<typeof S.divergenceSchema>>,
  SameKeys<keyof R.RawModeExpect, Props<typeof S.modeExpectSchema>>,
  SameKeys<keyof R.RawModes, Props<typeof S.modesSchema>>,
  SameKeys<keyof R.RawScaleStep, Props<typeof S.scaleStepSchema>>,
  SameKeys<keyof R.RawPatchStep, Props<typeof S.patchStepSchema>>,
  SameKeys<keyof R.RawDeleteStep, Props<typeof S.deleteStepSchema>>,
  SameKeys<keyof R.RawApplyStep, Props<typeof S.applyStepSchema>>,
  SameKeys<keyof R.RawEndpointStep, Props<typeof S.endpointStepSchema>>,
  SameKeys<keyof R.RawScenario, Props<typeof S.scenarioTopSchema>>,
  SameKeys<R.RawManifest['kind'], keyof typeof S.RESOURCE_KINDS>,
];

type AllTrue<T extends readonly unknown[]> = T[number] extends true ? true : false;

/** Fails to compile when any pair above differs. */
export const schemaMatchesTypes: AllTrue<SchemaMatchesTypes> = true;
