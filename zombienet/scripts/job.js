// A job end to end on the multi-node network: submitted with @polkadot/api through the full node
// (`rpc`), run by aitbc-miner connected to a validator (args[0]), completed with a receipt whose
// signature the CLI verifies.
const lib = require("./lib");

async function run(nodeName, networkInfo, args) {
  const rpcUri = networkInfo.nodesByName[nodeName].wsUri;
  const minerUri = networkInfo.nodesByName[args[0]].wsUri;
  const api = await lib.connect(rpcUri);
  lib.registerMiner(rpcUri);
  await lib.startMiner([minerUri], "miner");
  const started = Date.now();
  const [id] = await lib.submitJobs(api, 1, "In one sentence, what does a validator do?");
  const state = await lib.waitFor(`job ${id} to complete`, 180, async () => {
    const state = await lib.jobState(api, id);
    if (lib.isFinal(state) && lib.stateName(state) !== "completed") {
      throw new Error(`job ${id} ended ${JSON.stringify(state)}`);
    }
    return lib.stateName(state) === "completed" && state;
  });
  const receiptId = Object.values(state)[0].receiptId;
  const receipt = await api.query.receipts.receiptRecords(receiptId);
  if (receipt.isNone) throw new Error(`receipt ${receiptId} of job ${id} is not on chain`);
  // The CLI checks the miner's signature over the receipt payload (exit code 0).
  const verified = lib.aitbc(rpcUri, ["receipts", "verify", String(receiptId)]);
  console.log(verified.trim());
  lib.record({ multinode_job_seconds: (Date.now() - started) / 1000 });
  await api.disconnect();
  return 0;
}

module.exports = { run };
