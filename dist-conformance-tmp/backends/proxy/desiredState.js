/**
 * What one proxy daemon is told to do: the shape the control API accepts. All addresses here are
 * loopback addresses (the daemon never sees scenario addresses). `validateDesiredState` checks a
 * parsed JSON value completely before anything is applied, so a bad request changes nothing.
 */
import net from 'node:net';
/** Largest control request body accepted. */
export const MAX_STATE_BYTES = 4 * 1024 * 1024;
const MAX_ITEMS = 50_000;
export class DesiredStateError extends Error {
}
function fail(path, expected, got) {
    const shown = got === undefined ? 'nothing' : JSON.stringify(got)?.slice(0, 60);
    throw new DesiredStateError(`${path}: expected ${expected}, got ${shown}`);
}
function obj(v, path, keys, optional = []) {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
        fail(path, 'an object', v);
    const o = v;
    for (const k of Object.keys(o))
        if (!keys.includes(k) && !optional.includes(k))
            throw new DesiredStateError(`${path}: unknown field '${k}'`);
    for (const k of keys)
        if (!(k in o))
            throw new DesiredStateError(`${path}: missing field '${k}'`);
    return o;
}
function arr(v, path) {
    if (!Array.isArray(v))
        fail(path, 'an array', v);
    if (v.length > MAX_ITEMS)
        throw new DesiredStateError(`${path}: more than ${MAX_ITEMS} items`);
    return v;
}
function str(v, path) {
    if (typeof v !== 'string' || v.length > 253)
        fail(path, 'a string of at most 253 characters', v);
    return v;
}
function bool(v, path) {
    if (typeof v !== 'boolean')
        fail(path, 'true or false', v);
    return v;
}
function port(v, path) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535)
        fail(path, 'a port 1..65535', v);
    return v;
}
/** Loopback IPv4 only: the daemon must never listen on or connect to anything else. */
function loop(v, path) {
    if (typeof v !== 'string' || !net.isIPv4(v) || !v.startsWith('127.'))
        fail(path, 'a 127.0.0.0/8 address', v);
    return v;
}
function oneOf(v, path, values) {
    if (typeof v !== 'string' || !values.includes(v))
        fail(path, values.join(' or '), v);
    return v;
}
function endpoint(v, path) {
    const o = obj(v, path, ['address', 'port', 'node', 'ready', 'serving', 'terminating']);
    return {
        address: loop(o.address, `${path}.address`),
        port: port(o.port, `${path}.port`),
        node: str(o.node, `${path}.node`),
        ready: bool(o.ready, `${path}.ready`),
        serving: bool(o.serving, `${path}.serving`),
        terminating: bool(o.terminating, `${path}.terminating`),
    };
}
function servicePort(v, path) {
    const o = obj(v, path, ['key', 'port', 'externalIPs', 'loadBalancerIPs', 'externalTrafficPolicy', 'internalTrafficPolicy', 'endpoints'], ['clusterIP', 'nodePort', 'affinityTimeoutSeconds', 'loadBalancerAllowedSources']);
    const out = {
        key: str(o.key, `${path}.key`),
        port: port(o.port, `${path}.port`),
        externalIPs: arr(o.externalIPs, `${path}.externalIPs`).map((x, i) => loop(x, `${path}.externalIPs[${i}]`)),
        loadBalancerIPs: arr(o.loadBalancerIPs, `${path}.loadBalancerIPs`).map((x, i) => loop(x, `${path}.loadBalancerIPs[${i}]`)),
        externalTrafficPolicy: oneOf(o.externalTrafficPolicy, `${path}.externalTrafficPolicy`, ['Cluster', 'Local']),
        internalTrafficPolicy: oneOf(o.internalTrafficPolicy, `${path}.internalTrafficPolicy`, ['Cluster', 'Local']),
        endpoints: arr(o.endpoints, `${path}.endpoints`).map((e, i) => endpoint(e, `${path}.endpoints[${i}]`)),
    };
    if (o.loadBalancerAllowedSources !== undefined) {
        out.loadBalancerAllowedSources = arr(o.loadBalancerAllowedSources, `${path}.loadBalancerAllowedSources`).map((x, i) => loop(x, `${path}.loadBalancerAllowedSources[${i}]`));
    }
    if (o.clusterIP !== undefined)
        out.clusterIP = loop(o.clusterIP, `${path}.clusterIP`);
    if (o.nodePort !== undefined)
        out.nodePort = port(o.nodePort, `${path}.nodePort`);
    if (o.affinityTimeoutSeconds !== undefined) {
        const t = o.affinityTimeoutSeconds;
        if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > 86400)
            fail(`${path}.affinityTimeoutSeconds`, 'an integer 1..86400', t);
        out.affinityTimeoutSeconds = t;
    }
    return out;
}
/** Check a parsed request body completely; throws DesiredStateError naming the first bad field. */
export function validateDesiredState(v) {
    const o = obj(v, 'state', ['node', 'nodes', 'pods', 'vipOwner', 'vipRoutes', 'masqueradeAll', 'services']);
    const state = {
        node: str(o.node, 'state.node'),
        nodes: arr(o.nodes, 'state.nodes').map((n, i) => {
            const p = `state.nodes[${i}]`;
            const no = obj(n, p, ['name', 'addresses'], ['localhost']);
            const addresses = arr(no.addresses, `${p}.addresses`).map((a, j) => loop(a, `${p}.addresses[${j}]`));
            if (addresses.length === 0)
                throw new DesiredStateError(`${p}.addresses: expected at least one address`);
            const node = { name: str(no.name, `${p}.name`), addresses };
            if (no.localhost !== undefined)
                node.localhost = loop(no.localhost, `${p}.localhost`);
            return node;
        }),
        pods: arr(o.pods, 'state.pods').map((x, i) => {
            const po = obj(x, `state.pods[${i}]`, ['address', 'node']);
            return { address: loop(po.address, `state.pods[${i}].address`), node: str(po.node, `state.pods[${i}].node`) };
        }),
        vipOwner: bool(o.vipOwner, 'state.vipOwner'),
        vipRoutes: arr(o.vipRoutes, 'state.vipRoutes').map((x, i) => {
            const p = `state.vipRoutes[${i}]`;
            const ro = obj(x, p, ['source', 'vip', 'viaNode']);
            return { source: loop(ro.source, `${p}.source`), vip: loop(ro.vip, `${p}.vip`), viaNode: str(ro.viaNode, `${p}.viaNode`) };
        }),
        masqueradeAll: bool(o.masqueradeAll, 'state.masqueradeAll'),
        services: arr(o.services, 'state.services').map((s, i) => servicePort(s, `state.services[${i}]`)),
    };
    if (!state.nodes.some((n) => n.name === state.node))
        throw new DesiredStateError(`state.node: '${state.node}' is not among state.nodes`);
    const keys = new Set();
    for (const s of state.services) {
        if (keys.has(s.key))
            throw new DesiredStateError(`state.services: duplicate key '${s.key}'`);
        keys.add(s.key);
    }
    return state;
}
//# sourceMappingURL=desiredState.js.map