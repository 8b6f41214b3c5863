/**
 * The scenario JSON Schema (draft-07), built from one TS value. `schemas/scenario.schema.json` is
 * generated from it (`svclab schema --out schemas/scenario.schema.json`) and a test checks the file
 * is current; `schema-link.ts` checks at compile time that `raw.ts` names the same keys.
 *
 * Resources and steps are dispatched by `kind` / by their action key in `validate-schema.ts`, each
 * checked against its own definition, so errors come from the one branch the author meant.
 */
import { bool, ignored, int, list, obj, oneOfStrings, str, stringMap } from './schema-builders.js';
import type { JsonSchema } from './schema-builders.js';

export const PATTERNS = {
  /** RFC 1123 label (namespace, client names, port names of services). */
  dnsLabel: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
  /** RFC 1123 subdomain (node, pod and deployment names). */
  dnsSubdomain: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
  /** RFC 1035 label (service names). */
  dns1035: '^[a-z]([-a-z0-9]*[a-z0-9])?$',
  ianaSvcName: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
  scenarioName: '^[a-z0-9][a-z0-9._-]*$',
  labelKey: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$',
  labelValue: '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$',
  portRange: '^[0-9]{1,5}-[0-9]{1,5}$',
  duration: '^[0-9]+(ms|s)$',
  servedPort: '^[0-9]{1,5}/(TCP|UDP)$',
  /** A Linux interface name (at most 15 characters). */
  interfaceName: '^[A-Za-z][A-Za-z0-9_.-]{0,14}$',
  /** An interface name prefix, leaving room for a per-pod suffix. */
  interfacePrefix: '^[A-Za-z][A-Za-z0-9_.-]{0,9}$',
  resourceRef: '^[A-Za-z]+/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$',
} as const;

// The API server's limits: a DNS label (RFC 1123 or 1035) has at most 63 characters, a subdomain 253.
const name = (what: string, pattern: string = PATTERNS.dnsSubdomain) =>
  str(what, { pattern, minLength: 1, maxLength: pattern === PATTERNS.dnsSubdomain ? 253 : 63 });
const ip = (description: string) => str(description, { format: 'ip' });
const cidr = (description: string) => str(description, { format: 'cidr' });
const port = (description: string) => int(description, 1, 65535);
const protocol = oneOfStrings('TCP (default), UDP or SCTP', ['TCP', 'UDP', 'SCTP'], 'TCP');
const labels = stringMap('labels', PATTERNS.labelKey, { type: 'string', pattern: PATTERNS.labelValue, maxLength: 63 });
const annotations = stringMap('annotations', PATTERNS.labelKey);

// ---------------------------------------------------------------- cluster

export const nodeSchema = obj(
  'node',
  {
    name: name('node name (RFC 1123 subdomain)'),
    role: oneOfStrings('control-plane or worker (default)', ['control-plane', 'worker'], 'worker'),
    ip: ip('the node address (IPv4 or IPv6)'),
    ips: list('several node addresses; the first IPv4 one is the primary', ip('a node address'), { minItems: 1 }),
    podCIDR: cidr("this node's pod CIDR, inside cluster.podCIDR (default: the next free /24); with podAddressing node-subnet, the part of its subnet pods take addresses from (default: the whole subnet)"),
    subnet: cidr("the node's own subnet, holding its address (default: the /24 around it); pods take addresses from it with podAddressing node-subnet"),
    podIPs: list('podAddressing node-subnet: addresses pods on this node take first, in order (the VPC CNI warm pool)', ip('a pod address in the node subnet'), { minItems: 1 }),
  },
  ['name'],
);

export const routeSchema = obj(
  'route',
  {
    to: cidr('destination CIDR, e.g. the service CIDR'),
    via: str('next hop: a node name or one of its addresses', { minLength: 1 }),
  },
  ['to', 'via'],
);

export const clientSchema = obj(
  'client',
  {
    name: name('client name (RFC 1123 label)', PATTERNS.dnsLabel),
    ip: ip('the client address'),
    routes: list('static routes', routeSchema),
    serves: list(
      'ports this host answers on, like an echo pod (Endpoints may point at it): 9376 or "53/UDP"',
      { anyOf: [port('a TCP port'), str('PORT/PROTOCOL, e.g. 53/UDP', { pattern: PATTERNS.servedPort })] },
      { minItems: 1 },
    ),
  },
  ['name', 'ip'],
);

export const kubeProxySchema = obj('kubeProxy settings', {
  mode: oneOfStrings('proxy mode: iptables or nftables (ipvs is refused: deprecated upstream)', ['iptables', 'nftables'], 'iptables'),
  detectLocal: oneOfStrings('--detect-local-mode', ['ClusterCIDR', 'NodeCIDR', 'BridgeInterface', 'InterfaceNamePrefix', 'None'], 'ClusterCIDR'),
  bridgeInterface: str('--pod-bridge-interface (detectLocal BridgeInterface): the bridge pods hang off, e.g. cni0', { pattern: PATTERNS.interfaceName }),
  interfaceNamePrefix: str('--pod-interface-name-prefix (detectLocal InterfaceNamePrefix): node-side name prefix of pod links, e.g. eni or veth', { pattern: PATTERNS.interfacePrefix }),
  masqueradeAll: bool('--masquerade-all', false),
  nodePortAddresses: list('--nodeport-addresses: IPv4 CIDRs or "primary"; empty = every local address', str('a CIDR or "primary"')),
  localhostNodePorts: bool('--iptables-localhost-nodeports', true),
  masqueradeBit: int('--iptables-masquerade-bit', 0, 31, { default: 14 }),
});

export const clusterSchema = obj(
  'cluster',
  {
    nodes: list('the nodes, in order (CNODE is the first control-plane node, NODE1.. the others)', nodeSchema, { minItems: 1 }),
    podCIDR: cidr('cluster pod CIDR (default 10.244.0.0/16); kube-proxy --cluster-cidr'),
    podAddressing: oneOfStrings('pod-cidr: a pod range per node inside podCIDR; node-subnet: pod addresses from the nodes\' own subnets (VPC CNI style)', ['pod-cidr', 'node-subnet'], 'pod-cidr'),
    serviceCIDR: cidr('service CIDR (default 10.96.0.0/16)'),
    nodePortRange: str('node port range "MIN-MAX" (default 30000-32767)', { pattern: PATTERNS.portRange }),
    kubeProxy: kubeProxySchema,
    clients: list('external clients on the node network', clientSchema),
  },
  ['nodes'],
);

// ---------------------------------------------------------------- manifests

const metadataSchema = obj(
  'metadata',
  {
    name: name('object name'),
    namespace: name('namespace (default: the scenario namespace)', PATTERNS.dnsLabel),
    labels,
    annotations,
  },
  ['name'],
);

const templateMetadataSchema = obj('pod template metadata', { labels, annotations });

const containerPortSchema = obj(
  'container port',
  {
    containerPort: port('port the container listens on'),
    name: str('port name (IANA service name, at most 15 characters)', { pattern: PATTERNS.ianaSvcName, maxLength: 15 }),
    protocol,
  },
  ['containerPort'],
);

export const containerSchema = obj(
  'container',
  {
    name: name('container name', PATTERNS.dnsLabel),
    ports: list('ports the container listens on', containerPortSchema),
    image: ignored('container image'),
    imagePullPolicy: ignored('image pull policy'),
    command: ignored('command'),
    args: ignored('arguments'),
    env: ignored('environment'),
    resources: ignored('resource requests and limits'),
    workingDir: ignored('working directory'),
    readinessProbe: ignored('readiness probe (readiness is set with endpoint steps)'),
    livenessProbe: ignored('liveness probe'),
    securityContext: ignored('security context'),
  },
  ['name'],
);

export const podSpecSchema = obj(
  'pod spec',
  {
    containers: list('containers', containerSchema, { minItems: 1 }),
    nodeName: name('the node this pod runs on'),
    terminationGracePeriodSeconds: ignored('grace period'),
    restartPolicy: ignored('restart policy'),
    serviceAccountName: ignored('service account'),
    nodeSelector: ignored('node selector (use placement)'),
    tolerations: ignored('tolerations'),
    affinity: ignored('affinity (use placement)'),
  },
  ['containers'],
);

export const deploymentSpecSchema = obj(
  'Deployment spec',
  {
    replicas: int('number of pods (default 1)', 0, 1000, { default: 1 }),
    selector: obj('Deployment selector', { matchLabels: labels }, ['matchLabels']),
    template: obj('pod template', { metadata: templateMetadataSchema, spec: podSpecSchema }, ['metadata', 'spec']),
    strategy: ignored('rollout strategy'),
    minReadySeconds: ignored('min ready seconds'),
    revisionHistoryLimit: ignored('revision history limit'),
    progressDeadlineSeconds: ignored('progress deadline'),
  },
  ['selector', 'template'],
);

export const deploymentSchema = obj(
  'Deployment',
  {
    apiVersion: { const: 'apps/v1' },
    kind: { const: 'Deployment' },
    metadata: metadataSchema,
    spec: deploymentSpecSchema,
  },
  ['apiVersion', 'kind', 'metadata', 'spec'],
);

export const podSchema = obj(
  'Pod',
  { apiVersion: { const: 'v1' }, kind: { const: 'Pod' }, metadata: metadataSchema, spec: podSpecSchema },
  ['apiVersion', 'kind', 'metadata', 'spec'],
);

export const servicePortSchema = obj(
  'Service port',
  {
    name: str('port name (required when there are several ports)', { pattern: PATTERNS.dnsLabel, maxLength: 63 }),
    protocol,
    port: port('the Service port'),
    targetPort: {
      description: 'container port number or name (default: port)',
      anyOf: [port('container port number'), str('container port name', { pattern: PATTERNS.ianaSvcName, maxLength: 15 })],
    },
    nodePort: port('fixed node port (default: allocated from the range)'),
    appProtocol: ignored('application protocol'),
  },
  ['port'],
);

export const serviceSpecSchema = obj(
  'Service spec',
  {
    type: oneOfStrings('Service type', ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'], 'ClusterIP'),
    selector: labels,
    ports: list('Service ports', servicePortSchema),
    clusterIP: str('fixed cluster IP, or "None" for a headless Service', { minLength: 1 }),
    clusterIPs: list('cluster IPs (single-stack: one entry, equal to clusterIP)', str('a cluster IP'), { maxItems: 1 }),
    ipFamilies: list('IP families (IPv4 only)', { const: 'IPv4' }, { maxItems: 1 }),
    ipFamilyPolicy: { const: 'SingleStack', description: 'only SingleStack is modelled' },
    externalIPs: list('external IPs kube-proxy also serves the Service on', ip('an external IP')),
    externalName: str('DNS name for an ExternalName Service', { minLength: 1 }),
    externalTrafficPolicy: oneOfStrings('externalTrafficPolicy', ['Cluster', 'Local'], 'Cluster'),
    internalTrafficPolicy: oneOfStrings('internalTrafficPolicy', ['Cluster', 'Local'], 'Cluster'),
    sessionAffinity: oneOfStrings('session affinity', ['None', 'ClientIP'], 'None'),
    sessionAffinityConfig: obj('sessionAffinityConfig', {
      clientIP: obj('sessionAffinityConfig.clientIP', { timeoutSeconds: int('affinity timeout (default 10800)', 1, 86400) }),
    }),
    loadBalancerSourceRanges: list('CIDRs allowed to reach the load balancer', cidr('a source CIDR')),
    healthCheckNodePort: port('health check node port (LoadBalancer with externalTrafficPolicy Local)'),
    allocateLoadBalancerNodePorts: bool('allocate node ports for a LoadBalancer (default true)', true),
    publishNotReadyAddresses: bool('not-ready pods are endpoints too', false),
  },
);

const lbIngressSchema = obj(
  'load balancer ingress',
  {
    ip: ip('load balancer address'),
    ipMode: oneOfStrings('VIP (default) or Proxy', ['VIP', 'Proxy'], 'VIP'),
    ports: ignored('ingress port status'),
  },
  ['ip'],
);

export const serviceSchema = obj(
  'Service',
  {
    apiVersion: { const: 'v1' },
    kind: { const: 'Service' },
    metadata: metadataSchema,
    spec: serviceSpecSchema,
    status: obj('Service status', { loadBalancer: obj('status.loadBalancer', { ingress: list('ingress points', lbIngressSchema) }) }),
  },
  ['apiVersion', 'kind', 'metadata', 'spec'],
);

const targetRefSchema = obj(
  'targetRef',
  { kind: { const: 'Pod' }, name: name('pod name'), namespace: name('pod namespace', PATTERNS.dnsLabel), uid: ignored('uid') },
  ['kind', 'name'],
);

const endpointAddressSchema = obj(
  'endpoint address',
  { ip: ip('endpoint address'), nodeName: name('node of the endpoint'), targetRef: targetRefSchema, hostname: ignored('hostname') },
  ['ip'],
);

const endpointPortSchema = obj(
  'endpoint port',
  { name: str('port name (matches the Service port name)', { pattern: PATTERNS.dnsLabel }), port: port('endpoint port'), protocol, appProtocol: ignored('application protocol') },
  ['port'],
);

export const endpointsSchema = obj(
  'Endpoints',
  {
    apiVersion: { const: 'v1' },
    kind: { const: 'Endpoints' },
    metadata: metadataSchema,
    subsets: list(
      'endpoint subsets',
      obj('endpoint subset', {
        addresses: list('ready addresses', endpointAddressSchema),
        notReadyAddresses: list('not-ready addresses', endpointAddressSchema),
        ports: list('ports', endpointPortSchema, { minItems: 1 }),
      }, ['ports']),
    ),
  },
  ['apiVersion', 'kind', 'metadata'],
);

export const sliceEndpointSchema = obj(
  'EndpointSlice endpoint',
  {
    addresses: list('endpoint addresses (one)', ip('an address'), { minItems: 1, maxItems: 1 }),
    conditions: obj('endpoint conditions', {
      ready: bool('ready (default true)'),
      serving: bool('serving (default: ready)'),
      terminating: bool('terminating (default false)'),
    }),
    nodeName: name('node of the endpoint'),
    targetRef: targetRefSchema,
    zone: ignored('zone'),
    hints: ignored('topology hints'),
    hostname: ignored('hostname'),
  },
  ['addresses'],
);

export const endpointSliceSchema = obj(
  'EndpointSlice',
  {
    apiVersion: { const: 'discovery.k8s.io/v1' },
    kind: { const: 'EndpointSlice' },
    metadata: metadataSchema,
    addressType: oneOfStrings('address family of the endpoints', ['IPv4', 'IPv6']),
    ports: list(
      'ports',
      obj('EndpointSlice port', { name: str('port name ("" for an unnamed Service port)'), port: port('endpoint port'), protocol, appProtocol: ignored('application protocol') }, ['port']),
    ),
    endpoints: list('endpoints', sliceEndpointSchema),
  },
  ['apiVersion', 'kind', 'metadata', 'addressType', 'endpoints'],
);

export const fileRefSchema = obj(
  'file reference',
  { file: str('a YAML file of manifests (multi-document), relative to the scenario file', { pattern: '\\.ya?ml$' }) },
  ['file'],
);

/** Kind -> definition name; the order is the order shown in "expected one of". */
export const RESOURCE_KINDS = {
  Deployment: { apiVersion: 'apps/v1', definition: 'Deployment' },
  Pod: { apiVersion: 'v1', definition: 'Pod' },
  Service: { apiVersion: 'v1', definition: 'Service' },
  Endpoints: { apiVersion: 'v1', definition: 'Endpoints' },
  EndpointSlice: { apiVersion: 'discovery.k8s.io/v1', definition: 'EndpointSlice' },
} as const;
export type ResourceKind = keyof typeof RESOURCE_KINDS;

// ---------------------------------------------------------------- placement

export const placementSchema: JsonSchema = {
  type: 'object',
  title: 'placement',
  description: 'which nodes pods run on: <deployment>: [node, ...], <pod>: node, strategy: spread',
  properties: { strategy: oneOfStrings('how pods not listed are placed', ['spread'], 'spread') },
  additionalProperties: {
    description: 'a node name, or a list of node names the pod slots go round-robin over',
    anyOf: [name('a node name'), list('node names, round-robin over pod slots', name('a node name'), { minItems: 1 })],
  },
};

// ---------------------------------------------------------------- steps

const responderNames = list('names', str('a name', { minLength: 1 }));
const responders = (what: string): JsonSchema => ({
  description: `${what} that may answer: a list, or { must, mustNot, may }${what === 'pods' ? ', or { on: NODE }' : ''}`,
  anyOf: [
    responderNames,
    obj(`${what} expectation`, {
      must: responderNames,
      mustNot: responderNames,
      may: responderNames,
      ...(what === 'pods' ? { on: name('only pods on this node may answer') } : {}),
    }),
  ],
});

const OUTCOMES = ['ok', 'timeout', 'refused', 'reset', 'unreachable'] as const;

export const expectSchema = obj(
  'expect',
  {
    outcome: {
      description: 'every request has this outcome, or { outcome: count, ... }',
      anyOf: [
        oneOfStrings('outcome of every request', OUTCOMES),
        {
          type: 'object',
          title: 'outcome counts',
          description: 'exact number of requests per outcome',
          propertyNames: { enum: [...OUTCOMES] },
          additionalProperties: { type: 'integer', minimum: 0 },
          minProperties: 1,
        },
      ],
    },
    pods: responders('pods'),
    nodes: responders('nodes'),
    hosts: responders('hosts'),
    distribution: {
      description: 'uniform, or { weights: uniform | { pod: weight }, alpha, method }',
      anyOf: [
        { const: 'uniform' },
        obj('distribution', {
          weights: { anyOf: [{ const: 'uniform' }, { type: 'object', additionalProperties: { type: 'number', exclusiveMinimum: 0 }, minProperties: 1 }] },
          alpha: { type: 'number', exclusiveMinimum: 0, maximum: 0.5, default: 0.001, description: 'false-failure rate of the test' },
          method: oneOfStrings('exact, sample, or auto', ['auto', 'exact', 'sample'], 'auto'),
        }),
      ],
    },
    sourceSeen: str('client, ingress-node, or an address / variable / expression', { minLength: 1 }),
    sticky: { const: true, description: 'every answer came from the same pod' },
  },
);

const stepName = str('title of the step in reports', { minLength: 1 });
const stepNamespace = name('namespace of the resource (default: the scenario namespace)', PATTERNS.dnsLabel);
const resourceRef = str('kind/name, e.g. service/web', { pattern: PATTERNS.resourceRef });

export const sendSpecSchema = obj(
  'send',
  {
    count: int('number of requests', 1, 100000),
    to: str('HOST:PORT, e.g. CNODE:NPORT or clusterIP(web):80', { minLength: 1 }),
    from: {
      description: 'client name, "node NAME", "pod NAME", or { client | node | pod: NAME }',
      anyOf: [
        str('client name, "node NAME" or "pod NAME"', { minLength: 1 }),
        obj('traffic source', { client: name('client name'), node: name('node name'), pod: name('pod name') }),
      ],
    },
    protocol: { type: 'string', enum: ['TCP', 'UDP', 'SCTP', 'tcp', 'udp', 'sctp'], default: 'TCP', description: 'protocol' },
    timeout: str('per-request timeout, e.g. 500ms or 2s (default 1s)', { pattern: PATTERNS.duration }),
  },
  ['count', 'to', 'from'],
);

/** A known, explained difference of one backend on a send step (see docs/compare.md). */
export const divergenceSchema = obj(
  'divergence',
  {
    backend: oneOfStrings('the backend that behaves differently', ['sim', 'proxy', 'netns', 'kind']),
    does: str('what it does instead, e.g. "refused instead of timeout"', { minLength: 1 }),
    why: str('why it differs (a documented limitation, a design choice)', { minLength: 1 }),
    link: str('where the difference is documented (http or https URL, or a docs/ path)', { pattern: '^(https?://[^\\s]+|docs/[^\\s]+)$' }),
  },
  ['backend', 'does', 'why'],
);

/** `modes.<mode>`: the answer under that kube-proxy mode, replacing `expect` there (see docs/scenario-language.md). */
export const modeExpectSchema = obj(
  'mode expectation',
  {
    expect: expectSchema,
    why: str('why this mode answers differently (shown in the migration report)', { minLength: 1 }),
    link: str('the upstream test or doc that pins it (http or https URL, or a docs/ path)', { pattern: '^(https?://[^\\s]+|docs/[^\\s]+)$' }),
  },
  ['expect', 'why'],
);

export const modesSchema = {
  ...obj('per-mode expectations', { iptables: modeExpectSchema, nftables: modeExpectSchema }),
  description: 'what this step expects under one kube-proxy mode instead of expect: { nftables: { expect, why, link } }',
  minProperties: 1,
};

export const sendStepSchema = obj(
  'send step',
  {
    name: stepName,
    send: { description: 'traffic: "100 curls to CNODE:NPORT from mypc" or { count, to, from, protocol, timeout }', anyOf: [str('shorthand', { minLength: 1 }), sendSpecSchema] },
    expect: expectSchema,
    modes: modesSchema,
    diverges: list('known differences of backends on this step: each shows as known in svclab compare and fails when the backend agrees again', divergenceSchema, { minItems: 1 }),
  },
  ['send', 'expect'],
);

export const scaleStepSchema = obj(
  'scale step',
  { name: stepName, namespace: stepNamespace, scale: resourceRef, replicas: int('new replica count', 0, 1000) },
  ['scale', 'replicas'],
);

export const patchStepSchema = obj(
  'patch step',
  { name: stepName, namespace: stepNamespace, patch: resourceRef, with: { type: 'object', description: 'JSON merge patch (RFC 7386)' } },
  ['patch', 'with'],
);

export const deleteStepSchema = obj('delete step', { name: stepName, namespace: stepNamespace, delete: resourceRef }, ['delete']);

export const applyStepSchema = obj(
  'apply step',
  {
    name: stepName,
    apply: {
      description: 'manifests (or { file }) to create or replace',
      anyOf: [{ $ref: '#/definitions/resource' }, list('manifests', { $ref: '#/definitions/resource' }, { minItems: 1 })],
    },
  },
  ['apply'],
);

export const endpointStepSchema = obj(
  'endpoint step',
  {
    name: stepName,
    namespace: stepNamespace,
    endpoint: str('pod/NAME', { pattern: '^(pod|po|pods)/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' }),
    condition: oneOfStrings('new condition of the pod', ['ready', 'not-ready', 'terminating']),
  },
  ['endpoint', 'condition'],
);

/** Step action key -> definition name. */
export const STEP_KINDS = {
  send: 'sendStep',
  scale: 'scaleStep',
  patch: 'patchStep',
  delete: 'deleteStep',
  apply: 'applyStep',
  endpoint: 'endpointStep',
} as const;
export type StepKind = keyof typeof STEP_KINDS;

// ---------------------------------------------------------------- top level

export const scenarioTopSchema = obj(
  'scenario',
  {
    name: str('scenario name', { pattern: PATTERNS.scenarioName, maxLength: 100 }),
    description: str('what the scenario shows'),
    source: str('the lab or upstream test it reproduces'),
    tags: list('free labels', str('a tag', { minLength: 1 })),
    seed: int('seed for random choices', 0, 2 ** 31 - 1),
    namespace: name('default namespace (default "default")', PATTERNS.dnsLabel),
    cluster: clusterSchema,
    resources: list('Kubernetes manifests, or { file: path }', { $ref: '#/definitions/resource' }),
    placement: placementSchema,
    steps: list('steps, in order', { $ref: '#/definitions/step' }, { minItems: 1 }),
  },
  ['name', 'cluster', 'steps'],
);

/** The complete schema, as written to `schemas/scenario.schema.json`. */
export const scenarioSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://svclab.dev/schemas/scenario.schema.json',
  ...scenarioTopSchema,
  title: 'svclab scenario',
  definitions: {
    resource: {
      description: 'a Deployment, Pod, Service, Endpoints or EndpointSlice manifest, or { file: path }',
      anyOf: [
        { $ref: '#/definitions/file' },
        ...Object.values(RESOURCE_KINDS).map((k) => ({ $ref: `#/definitions/${k.definition}` })),
      ],
    },
    file: fileRefSchema,
    Deployment: deploymentSchema,
    Pod: podSchema,
    Service: serviceSchema,
    Endpoints: endpointsSchema,
    EndpointSlice: endpointSliceSchema,
    step: {
      description: 'one of: send (+ expect), scale, patch, delete, apply, endpoint',
      anyOf: Object.values(STEP_KINDS).map((d) => ({ $ref: `#/definitions/${d}` })),
    },
    sendStep: sendStepSchema,
    scaleStep: scaleStepSchema,
    patchStep: patchStepSchema,
    deleteStep: deleteStepSchema,
    applyStep: applyStepSchema,
    endpointStep: endpointStepSchema,
  },
};

/** The schema as `svclab schema` prints it and as the checked-in file holds it. */
export function schemaText(): string {
  return JSON.stringify(scenarioSchema, null, 2) + '\n';
}
