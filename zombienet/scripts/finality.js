// Finality on the node the script runs on: with "advances,N" the finalized height rises by N
// within the step's time limit.
const lib = require("./lib");

async function run(nodeName, networkInfo, args) {
  const api = await lib.connect(networkInfo.nodesByName[nodeName].wsUri);
  const [mode, count] = args;
  if (mode !== "advances") throw new Error(`unknown mode ${mode}`);
  const from = await lib.finalizedNumber(api);
  await lib.waitFor(`finality to advance by ${count}`, 170, async () =>
    (await lib.finalizedNumber(api)) >= from + Number(count));
  await api.disconnect();
  return 0;
}

module.exports = { run };
