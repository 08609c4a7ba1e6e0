// The fault drills of drills.zndsl, one step per call (args[0]); figures go to figures.json.
//   start-miner,NODE  register the miner and start it connected to NODE, then to rpc
//   catch-up          on a restarted validator: seconds until it reaches rpc's best and
//                     finalized blocks of the moment it came back
//   two-down          with two of four validators down: finality stalls, blocks go on, and
//                     jobs are submitted meanwhile (their ids kept for `resumed`)
//   resumed           after the restarts: finality resumes (seconds to the first new finalized
//                     block), and every job submitted meanwhile has ended in the finalized state
//   failover,NODE     jobs submitted, NODE (the miner's first node) killed: the miner moves to
//                     rpc and completes every job
const fs = require("fs");
const path = require("path");
const lib = require("./lib");

const stallJobs = () => path.join(process.env.AITBC_ZOMBIE_OUT, "stall-jobs.json");

async function run(nodeName, networkInfo, args) {
  const uri = (name) => networkInfo.nodesByName[name].wsUri;
  const here = await lib.connect(uri(nodeName));
  const rpc = nodeName === "rpc" ? here : await lib.connect(uri("rpc"));
  const start = Date.now();
  const seconds = () => (Date.now() - start) / 1000;
  switch (args[0]) {
    case "start-miner": {
      lib.registerMiner(uri("rpc"));
      await lib.startMiner([uri(args[1]), uri("rpc")], "drill-miner");
      break;
    }
    case "catch-up": {
      const best = await lib.bestNumber(rpc);
      const finalized = await lib.finalizedNumber(rpc);
      const behind = best - (await lib.bestNumber(here));
      await lib.waitFor(`${nodeName} to import #${best}`, 150, async () => (await lib.bestNumber(here)) >= best);
      const imported = seconds();
      await lib.waitFor(`${nodeName} to finalize #${finalized}`, 150, async () =>
        (await lib.finalizedNumber(here)) >= finalized);
      lib.record({ restart_blocks_behind: behind, restart_catch_up_best_seconds: imported,
        restart_catch_up_finalized_seconds: seconds() });
      break;
    }
    case "two-down": {
      const ids = await lib.submitJobs(rpc, 4, "Name one planet.");
      fs.writeFileSync(stallJobs(), JSON.stringify(ids));
      await lib.sleep(6000);
      const finalized = await lib.finalizedNumber(rpc);
      const best = await lib.bestNumber(rpc);
      await lib.sleep(20000);
      const [finalizedAfter, bestAfter] = [await lib.finalizedNumber(rpc), await lib.bestNumber(rpc)];
      if (finalizedAfter !== finalized) throw new Error(`finality moved ${finalized} -> ${finalizedAfter}`);
      if (bestAfter < best + 4) throw new Error(`blocks stalled too: best ${best} -> ${bestAfter}`);
      lib.record({ stall_finalized: finalized, stall_best_blocks_in_20s: bestAfter - best });
      break;
    }
    case "resumed": {
      const from = await lib.finalizedNumber(rpc);
      await lib.waitFor("finality to resume", 180, async () => (await lib.finalizedNumber(rpc)) > from);
      const resumed = seconds();
      const ids = JSON.parse(fs.readFileSync(stallJobs(), "utf8"));
      const ended = await lib.waitFor("the jobs of the stall to end, finalized", 180, async () => {
        const at = await rpc.at(await rpc.rpc.chain.getFinalizedHead());
        const states = await Promise.all(ids.map(async (id) => {
          const record = await at.query.jobs.jobRecords(id);
          return record.isSome ? record.unwrap().state.toJSON() : null;
        }));
        return states.every(lib.isFinal) && states;
      });
      lib.record({ stall_resume_first_finalized_seconds: resumed, stall_jobs_ended: ended.map(lib.stateName),
        stall_jobs_all_ended_seconds: seconds() });
      break;
    }
    case "failover": {
      const ids = await lib.submitJobs(rpc, 4, "Name one colour.");
      lib.killNode(args[1]);
      const killed = Date.now();
      const states = await lib.waitFor("the miner to complete every job after failing over", 240, async () => {
        const states = await Promise.all(ids.map((id) => lib.jobState(rpc, id)));
        return states.every(lib.isFinal) && states;
      });
      const names = states.map(lib.stateName);
      if (!names.every((n) => n === "completed")) throw new Error(`jobs ended ${names.join(",")}`);
      lib.record({ failover_jobs_completed_seconds: (Date.now() - killed) / 1000 });
      break;
    }
    default:
      throw new Error(`unknown step ${args[0]}`);
  }
  if (rpc !== here) await rpc.disconnect();
  await here.disconnect();
  return 0;
}

module.exports = { run };
