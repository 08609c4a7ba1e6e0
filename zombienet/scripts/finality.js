// Finality on the node the script runs on: with "advances,N" the finalized height rises by N
// (recording the seconds to the first new finalized block under args[2] in figures.json); with
// "stalls" it stays put for 20 s while the best block rises (after a few seconds' grace for
// votes already in flight).
const lib = require("./lib");

async function run(nodeName, networkInfo, args) {
  const api = await lib.connect(networkInfo.nodesByName[nodeName].wsUri);
  const [mode, count, figure] = args;
  const start = Date.now();
  if (mode === "advances") {
    const from = await lib.finalizedNumber(api);
    await lib.waitFor("a new finalized block", 90, async () => (await lib.finalizedNumber(api)) > from);
    const first = (Date.now() - start) / 1000;
    await lib.waitFor(`finality to advance by ${count}`, 120, async () =>
      (await lib.finalizedNumber(api)) >= from + Number(count));
    if (figure) lib.record({ [figure]: first, [`${figure}_${count}_more`]: (Date.now() - start) / 1000 });
  } else if (mode === "stalls") {
    await lib.sleep(6000);
    const finalized = await lib.finalizedNumber(api);
    const best = await lib.bestNumber(api);
    await lib.sleep(20000);
    const [finalizedAfter, bestAfter] = [await lib.finalizedNumber(api), await lib.bestNumber(api)];
    if (finalizedAfter !== finalized) throw new Error(`finality moved ${finalized} -> ${finalizedAfter}`);
    if (bestAfter < best + 4) throw new Error(`blocks stalled too: best ${best} -> ${bestAfter}`);
    console.log(`finality stalled at #${finalized}; best #${best} -> #${bestAfter}`);
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  await api.disconnect();
  return 0;
}

module.exports = { run };
