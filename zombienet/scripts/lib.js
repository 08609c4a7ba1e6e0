// What the suite's js-scripts share: connecting with @polkadot/api, waiting, signing, governance,
// the miner process and the figures file. Environment (set by scripts/zombienet-test):
//   AITBC_BIN                  folder of aitbc-node, aitbc-miner, aitbc
//   AITBC_ZOMBIE_OUT           folder for the miner's log and pid and figures.json
//   AITBC_ZOMBIE_MODEL         model id the llama.cpp backend serves
//   AITBC_ZOMBIE_BACKEND_URL   the backend's OpenAI-compatible URL
const { ApiPromise, WsProvider, Keyring } = require("@polkadot/api");
const { decodeAddress, blake2AsHex } = require("@polkadot/util-crypto");
const { u8aToHex } = require("@polkadot/util");
const { execFileSync, spawn } = require("child_process");
const fs = require("fs");
const path = require("path");

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suite with scripts/zombienet-test`);
  return value;
};
const OUT = () => env("AITBC_ZOMBIE_OUT");
const UNIT = 10n ** 12n;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function connect(wsUri) {
  return ApiPromise.create({
    provider: new WsProvider(wsUri),
    noInitWarn: true,
    // The runtime's CheckJobCalls extension has no bytes on the wire (docs/clients.md).
    signedExtensions: { CheckJobCalls: { extrinsic: {}, payload: {} } },
  });
}

/** One raw JSON-RPC call to the node at `wsUri` (for methods polkadot-js does not decorate). */
async function rpcCall(wsUri, method, params) {
  const provider = new WsProvider(wsUri);
  await provider.isReady;
  try {
    return await provider.send(method, params);
  } finally {
    await provider.disconnect();
  }
}

/** Polls `check` every half second until it returns a truthy value, at most `seconds`. */
async function waitFor(what, seconds, check) {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await sleep(500);
  }
}

async function finalizedNumber(api) {
  const hash = await api.rpc.chain.getFinalizedHead();
  return (await api.rpc.chain.getHeader(hash)).number.toNumber();
}

async function bestNumber(api) {
  return (await api.rpc.chain.getHeader()).number.toNumber();
}

function account(uri) {
  return new Keyring({ type: "sr25519", ss58Format: 4242 }).addFromUri(uri);
}

/** Signs and sends `tx`; resolves with its events once in a best block, rejects on a failed
 * dispatch. */
function send(api, tx, signer) {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (dispatchError) {
        const detail = dispatchError.isModule
          ? (({ section, name }) => `${section}.${name}`)(api.registry.findMetaError(dispatchError.asModule))
          : dispatchError.toString();
        reject(new Error(`${tx.method.section}.${tx.method.method} failed: ${detail}`));
      } else if (status.isInBlock) {
        resolve(events.map(({ event }) => event));
      } else if (status.isDropped || status.isInvalid || status.isUsurped) {
        reject(new Error(`${tx.method.section}.${tx.method.method}: ${status.type}`));
      }
    }).catch(reject);
  });
}

/** Proposes `call` on the track of `origin` (e.g. `{ Origins: "ValidatorAdmin" }`), votes it
 * through with Alice's and Bob's balances and waits until it is enacted. The network runs the
 * development governance periods (network.toml). */
async function passReferendum(api, origin, call) {
  const alice = account("//Alice");
  const bob = account("//Bob");
  const bytes = call.method.toHex();
  const len = (bytes.length - 2) / 2;
  await send(api, api.tx.preimage.notePreimage(bytes), alice);
  const index = (await api.query.referenda.referendumCount()).toNumber();
  await send(api, api.tx.referenda.submit(origin, { Lookup: { hash: blake2AsHex(bytes), len } }, { After: 1 }), alice);
  await send(api, api.tx.referenda.placeDecisionDeposit(index), alice);
  const aye = (balance) => ({ Standard: { vote: { aye: true, conviction: "Locked1x" }, balance } });
  await send(api, api.tx.convictionVoting.vote(index, aye(900_000n * UNIT)), alice);
  await send(api, api.tx.convictionVoting.vote(index, aye(900_000n * UNIT)), bob);
  await waitFor(`referendum ${index} to be approved`, 180, async () => {
    const info = await api.query.referenda.referendumInfoFor(index);
    if (info.isSome && (info.unwrap().isRejected || info.unwrap().isTimedOut)) {
      throw new Error(`referendum ${index} ended ${info.unwrap().type}`);
    }
    return info.isSome && info.unwrap().isApproved;
  });
  return index;
}

/** Registers the miner (owner Bob, operator Charlie) through the CLI on `url` unless it is. */
function registerMiner(url) {
  const operator = account("//Charlie").address;
  const listed = aitbc(url, ["--json", "miners"]);
  if (listed.includes(operator)) return;
  aitbc(url, ["--account", "bob", "miner", "register", "--operator-key", "//Charlie", "--models",
    env("AITBC_ZOMBIE_MODEL"), "--price", "0.000001", "--capacity", "2", "--stake", "2000"]);
}

/** Runs the aitbc CLI against `url`; throws with its output if it fails. */
function aitbc(url, args) {
  return execFileSync(path.join(env("AITBC_BIN"), "aitbc"), ["--url", url, "--dev", ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Starts aitbc-miner (operator //Charlie) connected to `urls` in that order, in the
 * background; scripts/zombienet-test stops it. Resolves once it reports its registration. */
async function startMiner(urls, name) {
  const log = path.join(OUT(), `${name}.log`);
  const out = fs.openSync(log, "a");
  const args = urls.flatMap((url) => ["--node-url", url]).concat([
    "--backend", "openai", "--backend-url", env("AITBC_ZOMBIE_BACKEND_URL")]);
  const child = spawn(path.join(env("AITBC_BIN"), "aitbc-miner"), args, {
    env: { ...process.env, AITBC_MINER_KEY: "//Charlie", RUST_LOG: "info" },
    stdio: ["ignore", out, out],
    detached: true,
  });
  child.unref();
  fs.appendFileSync(path.join(OUT(), "pids"), `${child.pid}\n`);
  await waitFor("the miner to start", 60, () => fs.readFileSync(log, "utf8").includes("registered miner"));
  return { log, pid: child.pid };
}

/** Submits `count` jobs as //Ferdie through `api`; resolves with their ids. */
async function submitJobs(api, count, prompt) {
  const spec = (i) => ({
    kind: "TextInference",
    model: env("AITBC_ZOMBIE_MODEL"),
    prompt: `${prompt} (${i})`,
    params: { temperatureMilli: 0, maxTokens: 16, seed: 1 },
    maxPrice: UNIT / 10n,
    ttl: null,
    minReputation: null,
  });
  const events = await send(api, api.tx.jobs.submitJobs([...Array(count).keys()].map(spec)), account("//Ferdie"));
  return events.filter((e) => api.events.jobs.JobSubmitted.is(e)).map((e) => e.data.jobId.toNumber());
}

/** The job's state as JSON (`{ completed: { receiptId } }` etc.), null once pruned. */
async function jobState(api, id) {
  const record = await api.query.jobs.jobRecords(id);
  return record.isSome ? record.unwrap().state.toJSON() : null;
}

const FINAL = ["completed", "failed", "cancelled", "expired"];
/** The name of a job state as polkadot-js renders it (`"queued"`, `{ completed: ... }`). */
function stateName(state) {
  if (state === null) return null;
  return (typeof state === "string" ? state : Object.keys(state)[0]).toLowerCase();
}
const isFinal = (state) => FINAL.includes(stateName(state));

/** Adds `figures` to figures.json in the output folder. */
function record(figures) {
  const file = path.join(OUT(), "figures.json");
  const all = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
  Object.assign(all, figures);
  fs.writeFileSync(file, JSON.stringify(all, null, 2));
  console.log(JSON.stringify(figures));
}

/** Kills the node process named `name` (zombienet's `--name <name>`) with SIGKILL. */
function killNode(name) {
  const pids = execFileSync("pgrep", ["-f", `aitbc-node .*--name ${name} `], { encoding: "utf8" })
    .split("\n").filter(Boolean);
  if (pids.length !== 1) throw new Error(`expected one process for node ${name}, found ${pids.length}`);
  process.kill(Number(pids[0]), "SIGKILL");
}

module.exports = {
  UNIT, sleep, connect, rpcCall, waitFor, finalizedNumber, bestNumber, account, send, passReferendum,
  registerMiner, aitbc, startMiner, submitJobs, jobState, stateName, isFinal, record, killNode, u8aToHex, decodeAddress,
};
