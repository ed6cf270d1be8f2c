// One controllable js-libp2p node (TCP + Noise + Yamux, identify + push, ping, /quids/echo/1.0.0) for the interop tests.
//
//   node peer.mjs [--ip6] [--connection-monitor] [--dht | --dht-client] [--mdns]
//
// stdout carries only JSON lines: first {"event":"ready","peerId":...,"addrs":[...],"protocols":[...]}, then one
// answer per command, {"id":<same id>,"ok":true,...} or {"id":...,"ok":false,"error":"..."}, plus event lines
// {"event":"peer:connect"|"peer:disconnect"|"peer:identify","peerId":...}. Logs go to stderr.
// With --mdns (@libp2p/mdns peer discovery, querying every 300 ms so a test need not wait js's 10 s), each
// discovered peer is also printed: {"event":"peer:discovery","peerId":...,"addrs":[...]}.
// stdin carries one JSON command per line, {"id":1,"cmd":"dial","addr":"/ip4/..."}; commands run concurrently.
//   dial {addr}                               -> {peerId, remoteAddr}
//   ping {addr|peerId, count=1}               -> {rtts: [ms, ...]} (wall time per ping, new stream each)
//   identify {peerId, refresh=false}          -> latest identify result js got from that peer; waits for the
//                                                automatic one if not there yet; refresh=true runs it again
//   echo {addr|peerId, protocol, bytes, streams, seed=1}
//                                             -> opens `streams` concurrent streams, sends `bytes` of
//                                                xorshift32 data (seed + stream index) on each, checks the echo
//   connections                               -> {connections: [...]}
//   handle {protocol}                         -> serves `protocol` as an echo too (js then sends identify push)
//   hangup {peerId}                           -> closes every connection to that peer
// With --dht (@libp2p/kad-dht as service 'dht', server mode, /ipfs/kad/1.0.0, loopback addresses kept, any
// value accepted under the /quids/ key namespace; --dht-client: client mode, which queries but neither serves
// nor advertises /ipfs/kad/1.0.0); keys are base64 ("key") or a peer id ("peerId"):
//   dht-find-peer {peerId}                    -> {peerId, addrs} (a FIND_NODE lookup; fails when not found)
//   dht-closest {key|peerId}                  -> {peerIds} closest to the key (GetClosestPeers lookup)
//   dht-put {key, value}                      -> {peerIds} that acknowledged the PUT_VALUE
//   dht-get {key}                             -> {value, from} the first valid value found
//   dht-provide {key}                         -> {} (ADD_PROVIDER; key is a multihash, as in a CID)
//   dht-find-providers {key, count=20}        -> {providers: [{peerId, addrs}]}
//   dht-routing-table                         -> {peerIds}
//   stop                                      -> answers, stops the node, exits 0
// Every command takes an optional timeoutMs (default 60000). End of stdin stops the node as well.
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify, identifyPush } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { pEvent } from 'p-event'
import { mdns } from '@libp2p/mdns'
import { kadDHT, passthroughMapper, EventTypes } from '@libp2p/kad-dht'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { createHash } from 'node:crypto'
import { createInterface } from 'node:readline'

const ECHO_PROTOCOL = '/quids/echo/1.0.0'
// Payload slices handed to stream.send(): 64 KiB is what @libp2p/perf writes; yamux splits it into frames.
const CHUNK_BYTES = 64 * 1024
// Upper bound on one echo stream so a typo in a test cannot make this process allocate gigabytes.
const MAX_ECHO_BYTES = 256 * 1024 * 1024
const DEFAULT_TIMEOUT_MS = 60_000
// mDNS query interval under --mdns: js's default is 10 s, too slow for a test; 300 ms is still gentle on lo.
const MDNS_INTERVAL_MS = 300

const args = new Set(process.argv.slice(2))
const log = (m) => console.error(`[peer ${new Date().toISOString()}] ${m}`)
const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')

const listen = ['/ip4/127.0.0.1/tcp/0']
if (args.has('--ip6')) listen.push('/ip6/::1/tcp/0')

const node = await createLibp2p({
  addresses: { listen },
  // The ConnectionMonitor pings every connection every 10 s and aborts it when the ping is late (~5 s at
  // first); a bulk echo test delays that ping behind megabytes of queued data. Off unless asked for.
  connectionMonitor: { enabled: args.has('--connection-monitor') },
  // The tests dial this peer from 127.0.0.1 many times a second (a fresh Quids node per test); js's default
  // of 5 inbound connections per second per host would reset the extra ones at accept.
  connectionManager: { inboundConnectionThreshold: 1000 },
  transports: [tcp()],
  peerDiscovery: args.has('--mdns') ? [mdns({ interval: MDNS_INTERVAL_MS })] : [],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: {
    identify: identify(),
    identifyPush: identifyPush(),
    ping: ping(),
    ...(args.has('--dht') || args.has('--dht-client') ? { dht: dhtService(args.has('--dht-client')) } : {})
  }
})

function dhtService (clientMode) {
  return kadDHT({
    protocol: '/ipfs/kad/1.0.0',
    // Server mode from the start unless asked: js would otherwise wait for AutoNAT to call an address public,
    // which a loopback address never is, and stay a client that neither answers nor advertises the protocol.
    clientMode,
    // The default mapper (removePrivateAddressesMapper) drops 127.0.0.1 from every peer it learns or sends.
    peerInfoMapper: passthroughMapper,
    // js validates a record by the first segment of its key (/pk/, /ipns/); /quids/ is the tests' namespace.
    validators: { quids: async () => {} },
    selectors: { quids: () => 0 },
    // The tests bootstrap each node by hand; js's first self-query would otherwise wait for a routing table peer.
    allowQueryWithZeroPeers: true
  })
}

// Wait for the next 'drain' after send() returned false. Not stream.onDrain(): in @libp2p/utils 7.4.1 its
// promise is created once and never re-armed, so the write buffer would grow without bound.
const drain = (stream) => pEvent(stream, 'drain', { rejectionEvents: ['close'] })
const nowMs = () => Number(process.hrtime.bigint()) / 1e6
const toBytes = (chunk) => chunk instanceof Uint8Array ? chunk : chunk.subarray()

// Deterministic payload, mirrored by EchoPayload.cs: xorshift32 words written little-endian.
function payload (seed, length) {
  const words = new Uint32Array(Math.ceil(length / 4))
  let x = (seed >>> 0) || 0x9E3779B9
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13; x >>>= 0
    x ^= x >>> 17
    x ^= x << 5; x >>>= 0
    words[i] = x
  }
  const bytes = new Uint8Array(words.buffer, 0, length)
  if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw new Error('big-endian hosts are not supported')
  return bytes
}

// Latest identify result per remote peer id (js runs identify by itself on every new connection).
const identified = new Map()
const identifyToJson = (r) => ({
  peerId: r.peerId.toString(),
  agentVersion: r.agentVersion ?? null,
  protocolVersion: r.protocolVersion ?? null,
  listenAddrs: r.listenAddrs.map(a => a.toString()),
  observedAddr: r.observedAddr?.toString() ?? null,
  protocols: r.protocols,
  publicKey: r.publicKey == null ? null : Buffer.from(r.publicKey).toString('base64'),
  remoteAddr: r.connection?.remoteAddr?.toString() ?? null
})
node.addEventListener('peer:identify', (e) => {
  const r = identifyToJson(e.detail)
  identified.set(r.peerId, r)
  out({ event: 'peer:identify', peerId: r.peerId })
})
node.addEventListener('peer:discovery', (e) =>
  out({ event: 'peer:discovery', peerId: e.detail.id.toString(), addrs: e.detail.multiaddrs.map(a => a.toString()) }))
node.addEventListener('peer:connect', (e) => out({ event: 'peer:connect', peerId: e.detail.toString() }))
node.addEventListener('peer:disconnect', (e) => out({ event: 'peer:disconnect', peerId: e.detail.toString() }))

async function echoHandler (stream) {
  try {
    for await (const chunk of stream) {
      if (!stream.send(chunk)) await drain(stream)
    }
    await stream.close()
  } catch (err) {
    log(`echo handler error: ${err.stack}`)
    stream.abort(err)
  }
}
await node.handle(ECHO_PROTOCOL, echoHandler, { maxInboundStreams: 64 })

// A target is a multiaddr (starts with '/') or a peer id string of a peer js already knows.
const target = (s) => {
  if (typeof s !== 'string' || s.length === 0) throw new Error('missing addr or peerId')
  return s.startsWith('/') ? multiaddr(s) : peerIdFromString(s)
}

async function echoOne (t, protocol, bytes, seed, signal) {
  const data = payload(seed, bytes)
  const stream = await node.dialProtocol(t, protocol, { signal })
  const received = new Uint8Array(bytes)
  let got = 0
  const reading = (async () => {
    for await (const chunk of stream) {
      const b = toBytes(chunk)
      if (got + b.byteLength > bytes) throw new Error(`echo returned more than the ${bytes} bytes sent`)
      received.set(b, got)
      got += b.byteLength
    }
  })()
  // A failed reader or the command's timeout resets the stream, which also wakes a writer waiting for 'drain'.
  reading.catch((err) => stream.abort(err))
  const onAbort = () => stream.abort(signal.reason ?? new Error('echo timed out'))
  signal.addEventListener('abort', onAbort)
  const t0 = nowMs()
  try {
    for (let off = 0; off < bytes; off += CHUNK_BYTES) {
      if (!stream.send(data.subarray(off, Math.min(bytes, off + CHUNK_BYTES)))) await drain(stream)
    }
    await stream.close({ signal })
    await reading
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
  const ms = nowMs() - t0
  if (got !== bytes) throw new Error(`echo returned ${got} of ${bytes} bytes`)
  if (Buffer.compare(Buffer.from(data.buffer, data.byteOffset, bytes), Buffer.from(received.buffer)) !== 0) {
    const i = data.findIndex((v, k) => v !== received[k])
    throw new Error(`echo returned different bytes from offset ${i}`)
  }
  return { sha256: createHash('sha256').update(data).digest('hex'), ms }
}

const waitForIdentify = (peerId, signal) => new Promise((resolve, reject) => {
  const onEvent = (e) => { if (e.detail.peerId.toString() === peerId) { done(); resolve(identifyToJson(e.detail)) } }
  const onAbort = () => { done(); reject(new Error(`no identify result from ${peerId} before the timeout`)) }
  const done = () => { node.removeEventListener('peer:identify', onEvent); signal.removeEventListener('abort', onAbort) }
  node.addEventListener('peer:identify', onEvent)
  signal.addEventListener('abort', onAbort)
})

const dht = () => {
  if (node.services.dht == null) throw new Error('the DHT is off: start peer.mjs with --dht')
  return node.services.dht
}
const dhtKey = (c) => c.peerId != null ? peerIdFromString(c.peerId).toMultihash().bytes : Buffer.from(c.key, 'base64')
const b64 = (bytes) => Buffer.from(bytes).toString('base64')
const peerInfoToJson = (p) => ({ peerId: p.id.toString(), addrs: p.multiaddrs.map(a => a.toString()) })

const commands = {
  async 'dht-find-peer' (c, signal) {
    const wanted = peerIdFromString(c.peerId)
    for await (const e of dht().findPeer(wanted, { signal })) {
      if (e.type === EventTypes.FINAL_PEER && e.peer.id.equals(wanted)) return peerInfoToJson(e.peer)
    }
    throw new Error(`the DHT lookup did not find ${c.peerId}`)
  },
  async 'dht-closest' (c, signal) {
    const peerIds = []
    for await (const e of dht().getClosestPeers(dhtKey(c), { signal })) {
      if (e.type === EventTypes.FINAL_PEER) peerIds.push(e.peer.id.toString())
    }
    return { peerIds }
  },
  async 'dht-put' (c, signal) {
    const peerIds = []
    for await (const e of dht().put(dhtKey(c), Buffer.from(c.value, 'base64'), { signal })) {
      if (e.type === EventTypes.PEER_RESPONSE && e.messageName === 'PUT_VALUE') peerIds.push(e.from.toString())
    }
    return { peerIds }
  },
  async 'dht-get' (c, signal) {
    for await (const e of dht().get(dhtKey(c), { signal })) {
      if (e.type === EventTypes.VALUE) return { value: b64(e.value), from: e.from.toString() }
    }
    throw new Error('the DHT lookup found no value')
  },
  async 'dht-provide' (c, signal) {
    const cid = CID.createV1(0x55, Digest.decode(dhtKey(c)))
    for await (const e of dht().provide(cid, { signal })) { void e }
    return {}
  },
  async 'dht-find-providers' (c, signal) {
    const cid = CID.createV1(0x55, Digest.decode(dhtKey(c)))
    const providers = new Map()
    for await (const e of dht().findProviders(cid, { signal })) {
      if (e.type !== EventTypes.PROVIDER) continue
      for (const p of e.providers) providers.set(p.id.toString(), peerInfoToJson(p))
      if (providers.size >= (c.count ?? 20)) break
    }
    return { providers: [...providers.values()] }
  },
  async 'dht-routing-table' () {
    return { peerIds: [...dht().routingTable.kb.toIterable()].map(x => x.peerId.toString()) }
  },


  async dial (c, signal) {
    const conn = await node.dial(target(c.addr), { signal })
    return { peerId: conn.remotePeer.toString(), remoteAddr: conn.remoteAddr.toString() }
  },
  async ping (c, signal) {
    const t = target(c.addr ?? c.peerId)
    const rtts = []
    for (let i = 0; i < (c.count ?? 1); i++) {
      const a = nowMs()
      await node.services.ping.ping(t, { signal })
      rtts.push(nowMs() - a)
    }
    return { rtts }
  },
  async identify (c, signal) {
    if (c.refresh) {
      const conn = node.getConnections(peerIdFromString(c.peerId)).find(x => x.status === 'open')
      if (conn == null) throw new Error(`no open connection to ${c.peerId}`)
      const r = identifyToJson(await node.services.identify.identify(conn, { signal }))
      identified.set(r.peerId, r)
      return r
    }
    return identified.get(c.peerId) ?? await waitForIdentify(c.peerId, signal)
  },
  async echo (c, signal) {
    const bytes = c.bytes ?? 1024; const streams = c.streams ?? 1; const seed = c.seed ?? 1
    if (!Number.isInteger(bytes) || bytes < 0 || bytes > MAX_ECHO_BYTES) throw new Error(`bytes must be 0..${MAX_ECHO_BYTES}`)
    const t = target(c.addr ?? c.peerId)
    const t0 = nowMs()
    const results = await Promise.all(Array.from({ length: streams },
      (_, i) => echoOne(t, c.protocol ?? ECHO_PROTOCOL, bytes, seed + i, signal)))
    return { bytes, streams, sha256s: results.map(r => r.sha256), streamMs: results.map(r => r.ms), ms: nowMs() - t0 }
  },
  async connections () {
    return {
      connections: node.getConnections().map(c => ({
        peerId: c.remotePeer.toString(),
        remoteAddr: c.remoteAddr.toString(),
        direction: c.direction,
        status: c.status,
        encryption: c.encryption ?? null,
        multiplexer: c.multiplexer ?? null,
        streams: c.streams.map(s => s.protocol ?? null)
      }))
    }
  },
  async handle (c) {
    // Serving a new protocol changes our peer record, which makes identifyPush tell every connected peer.
    await node.handle(c.protocol, echoHandler, { maxInboundStreams: 64 })
    return { protocols: node.getProtocols() }
  },
  async hangup (c, signal) {
    await node.hangUp(peerIdFromString(c.peerId), { signal })
    return {}
  }
}

let stopping = false
async function stop (code) {
  if (stopping) return
  stopping = true
  try { await node.stop() } catch (err) { log(`stop failed: ${err.stack}`) }
  process.exit(code)
}

async function run (line) {
  let c
  try { c = JSON.parse(line) } catch { out({ id: null, ok: false, error: `not JSON: ${line.slice(0, 200)}` }); return }
  const id = c.id ?? null
  if (c.cmd === 'stop') { out({ id, ok: true }); await stop(0); return }
  const fn = commands[c.cmd]
  if (fn == null) { out({ id, ok: false, error: `unknown command ${c.cmd}` }); return }
  try {
    const signal = AbortSignal.timeout(c.timeoutMs ?? DEFAULT_TIMEOUT_MS)
    out({ id, ok: true, ...await fn(c, signal) })
  } catch (err) {
    log(`${c.cmd} failed: ${err.stack ?? err}`)
    out({ id, ok: false, error: `${err.name ?? 'Error'}: ${err.message ?? err}` })
  }
}

createInterface({ input: process.stdin, terminal: false })
  .on('line', (line) => { if (line.trim() !== '') run(line) })
  .on('close', () => stop(0))
process.on('SIGTERM', () => stop(0))
process.on('SIGINT', () => stop(0))
process.on('unhandledRejection', (err) => log(`unhandled rejection: ${err?.stack ?? err}`))

out({
  event: 'ready',
  peerId: node.peerId.toString(),
  addrs: node.getMultiaddrs().map(a => a.toString()),
  protocols: node.getProtocols()
})
