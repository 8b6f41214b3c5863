/**
 * The exact command lines the kind backend runs during a session, in one place so tests pin them.
 * Every value is validated before it lands in an argument array.
 */
import { AGNHOST_IMAGE, MANAGED_LABEL } from './manifests.js';
import { checkContainerName, checkIPv4, checkLabelName } from './names.js';
import { curlArgs } from './probe.js';

export type Command = { file: string; args: string[] };

/** Format docker inspect uses for a container's IPs (exactly how kind reads node IPs). */
export const IP_FORMAT = '{{range .NetworkSettings.Networks}}{{.IPAddress}},{{.GlobalIPv6Address}}{{end}}';

export function kubectl(base: string[], ...args: string[]): Command {
  return { file: 'kubectl', args: [...base, ...args] };
}

export const getNodes = (base: string[]): Command => kubectl(base, 'get', 'nodes', '-o', 'json');

export const applyStdin = (base: string[], namespace: string): Command => kubectl(base, 'apply', '-n', checkLabelName(namespace, 'namespace'), '-f', '-');

export const applyNamespace = (base: string[]): Command => kubectl(base, 'apply', '-f', '-');

export const getInNamespace = (base: string[], namespace: string, resource: 'pods' | 'services' | 'endpointslices'): Command =>
  kubectl(base, 'get', resource, '-n', checkLabelName(namespace, 'namespace'), '-o', 'json');

export const deletePods = (base: string[], namespace: string, pods: string[]): Command =>
  kubectl(base, 'delete', 'pod', '-n', checkLabelName(namespace, 'namespace'), '--wait=true', '--ignore-not-found', ...pods.map((p) => checkLabelName(p, 'pod name')));

export const deleteObject = (base: string[], namespace: string, kind: string, name: string): Command => {
  if (!/^[A-Za-z][A-Za-z0-9.]*$/.test(kind)) throw new Error(`kind backend: resource kind "${kind}" is not valid`);
  return kubectl(base, 'delete', `${kind.toLowerCase()}/${name}`, '-n', checkLabelName(namespace, 'namespace'), '--wait=true', '--ignore-not-found');
};

/** Services go first and synchronously: their fixed node ports and ClusterIPs must be free for the next scenario on the same cluster. */
export const deleteAllServices = (base: string[], namespace: string): Command =>
  kubectl(base, 'delete', 'services', '--all', '-n', checkLabelName(namespace, 'namespace'), '--wait=true', '--ignore-not-found');

export const deleteNamespace = (base: string[], namespace: string): Command =>
  kubectl(base, 'delete', 'namespace', checkLabelName(namespace, 'namespace'), '--wait=false', '--ignore-not-found');

/** An external client: an agnhost container on the `kind` network (NET_ADMIN for scenario routes). */
export function runClient(container: string, namespace: string, network = 'kind'): Command {
  return {
    file: 'docker',
    args: ['run', '-d', '--rm', '--name', checkContainerName(container, 'client container'), '--network', network, '--cap-add', 'NET_ADMIN', '--label', `${MANAGED_LABEL}=svclab`, '--label', `svclab.dev/namespace=${namespace}`, AGNHOST_IMAGE, 'pause'],
  };
}

export const inspectIP = (container: string): Command => ({ file: 'docker', args: ['inspect', '-f', IP_FORMAT, checkContainerName(container, 'container')] });

export const networkInspect = (network = 'kind'): Command => ({ file: 'docker', args: ['network', 'inspect', network] });

export const addRoute = (container: string, to: string, via: string): Command => {
  if (!/^\d+\.\d+\.\d+\.\d+\/\d{1,2}$/.test(to)) throw new Error(`kind backend: route destination "${to}" is not an IPv4 CIDR`);
  return { file: 'docker', args: ['exec', checkContainerName(container, 'client container'), 'ip', 'route', 'add', to, 'via', checkIPv4(via, 'route next hop')] };
};

export const removeContainers = (containers: string[]): Command => ({ file: 'docker', args: ['rm', '-f', ...containers.map((c) => checkContainerName(c, 'container'))] });

/** One request from a client container or a node container (`docker exec`). */
export const curlFromContainer = (container: string, ip: string, port: number, timeoutMs: number): Command => ({
  file: 'docker',
  args: ['exec', checkContainerName(container, 'container'), 'curl', ...curlArgs(ip, port, timeoutMs)],
});

/** One request from a pod (`kubectl exec`, its first echo container has curl). */
export const curlFromPod = (base: string[], namespace: string, pod: string, container: string, ip: string, port: number, timeoutMs: number): Command =>
  kubectl(base, 'exec', '-n', checkLabelName(namespace, 'namespace'), checkLabelName(pod, 'pod name'), '-c', checkLabelName(container, 'container'), '--', 'curl', ...curlArgs(ip, port, timeoutMs));
