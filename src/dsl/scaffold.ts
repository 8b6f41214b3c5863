/**
 * The commented skeleton `svclab new NAME` writes: a small, valid scenario a lab author edits.
 */

/** Scenario text for `name`; `schemaPath` is the schema's path relative to the new file. */
export function scaffoldScenario(name: string, schemaPath: string): string {
  return `# yaml-language-server: $schema=${schemaPath}
#
# ${name}: describe in one line what this scenario shows.
# Every key is explained in docs/scenario-language.md; 'svclab validate <this file>' checks it.
name: ${name}
description: What behaviour this scenario pins down, and why it matters.
source: where it comes from (a lab write-up, an upstream e2e test, an issue)
tags: [nodeport]

cluster:
  nodes:                                 # CNODE = first control-plane node, NODE1.. = the others
    - { name: control-plane, role: control-plane, ip: 172.18.0.2 }
    - { name: worker,  ip: 172.18.0.3 }  # role defaults to worker
    - { name: worker2, ip: 172.18.0.4 }
  podCIDR: 10.244.0.0/16                 # nodes get 10.244.0.0/24, 10.244.1.0/24, ... in order
  serviceCIDR: 10.96.0.0/16
  clients:
    - { name: mypc, ip: 172.18.0.100 }   # an external machine on the node network

resources:                               # plain manifests, as you would kubectl apply them
  - apiVersion: apps/v1
    kind: Deployment
    metadata: { name: web }
    spec:
      replicas: 2                        # pods web-1, web-2
      selector: { matchLabels: { app: web } }
      template:
        metadata: { labels: { app: web } }
        spec:
          containers:
            - name: web
              image: registry.k8s.io/e2e-test-images/agnhost:2.53
              ports: [{ name: http, containerPort: 8080 }]
  - apiVersion: v1
    kind: Service
    metadata: { name: web }
    spec:
      type: NodePort                     # node port allocated from 30000-32767 unless fixed
      selector: { app: web }
      ports: [{ port: 80, targetPort: http }]

placement:                               # scheduling is not simulated: say where pods run
  web: [worker, worker2]                 # pod i goes to list[(i-1) % len]

steps:
  - send: 100 curls to CNODE:NPORT from mypc
    expect:
      outcome: ok                        # ok | timeout | refused | reset | unreachable
      pods: { must: [web-1, web-2] }
      distribution: uniform              # goodness-of-fit test at alpha 0.001
      sourceSeen: ingress-node           # externalTrafficPolicy Cluster: SNAT to the node
  - patch: service/web                   # JSON merge patch of any resource
    with: { spec: { externalTrafficPolicy: Local } }
  - send: 20 curls to NODE1:NPORT from mypc
    expect: { outcome: ok, pods: { on: worker }, sourceSeen: client }
`;
}
