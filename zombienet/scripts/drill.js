// The fault drills of drills.zndsl, one step per call (args[0]); figures go to figures.json.
//   start-miner,NODE  register the miner and start it connected to NODE, then to rpc
//   one-down,SECONDS  right after one validator is paused (taken off the network): seconds to
//                     the next finalized block and to three more; blocks and finality go on for
//                     SECONDS in all; then marks the moment before the restart
//   catch-up          on the restarted validator: seconds from the mark (its restart began)
//                     until it has imported the network's best block and finalized its
//                     finalized one, and how many blocks it missed while down
//   two-down          with two of four validators down: finality stalls, blocks go on, and
//                     jobs are submitted meanwhile (their ids kept for `resumed`); then marks
//                     the moment before the restarts
//   resumed           after the restarts: finality resumes (seconds from the mark to the first
//                     new finalized block), and every job submitted meanwhile has ended in the
//                     finalized state
//   failover,NODE     jobs submitted, NODE (the miner's first node) killed: the miner moves to
//                     rpc and completes every job
const fs = require("fs");
const path = require("path");
const lib = require("./lib");

const file = (name) => path.join(process.env.AITBC_ZOMBIE_OUT, `${name}.json`);
const keep = (name, value) => fs.writeFileSync(file(name), JSON.stringify(value));
const kept = (name) => JSON.parse(fs.readFileSync(file(name), "utf8"));

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
    case "one-down": {
      const best = await lib.bestNumber(rpc);
      const from = await lib.finalizedNumber(rpc);
      await lib.waitFor("a new finalized block", 90, async () => (await lib.finalizedNumber(rpc)) > from);
      const next = seconds();
      await lib.waitFor("three more finalized blocks", 90, async () => (await lib.finalizedNumber(rpc)) >= from + 3);
      lib.record({ one_down_next_finalized_seconds: next, one_down_three_more_finalized_seconds: seconds() });
      await lib.sleep(Math.max(0, Number(args[1]) * 1000 - (Date.now() - start)));
      if ((await lib.bestNumber(rpc)) <= best) throw new Error("no new block while one validator was down");
      keep("down", { best_at_pause: best, restart_at: Date.now() });
      break;
    }
    case "catch-up": {
      const { best_at_pause: last, restart_at: restartAt } = kept("down");
      const best = await lib.bestNumber(rpc);
      const finalized = await lib.finalizedNumber(rpc);
      await lib.waitFor(`${nodeName} to import #${best}`, 150, async () => (await lib.bestNumber(here)) >= best);
      const imported = (Date.now() - restartAt) / 1000;
      await lib.waitFor(`${nodeName} to finalize #${finalized}`, 150, async () =>
        (await lib.finalizedNumber(here)) >= finalized);
      lib.record({ restart_blocks_missed: best - last, restart_catch_up_best_seconds: imported,
        restart_catch_up_finalized_seconds: (Date.now() - restartAt) / 1000 });
      break;
    }
    case "two-down": {
      const ids = await lib.submitJobs(rpc, 4, "Name one planet.");
      keep("stall-jobs", ids);
      await lib.sleep(6000);
      const finalized = await lib.finalizedNumber(rpc);
      const best = await lib.bestNumber(rpc);
      await lib.sleep(20000);
      const [finalizedAfter, bestAfter] = [await lib.finalizedNumber(rpc), await lib.bestNumber(rpc)];
      if (finalizedAfter !== finalized) throw new Error(`finality moved ${finalized} -> ${finalizedAfter}`);
      if (bestAfter < best + 4) throw new Error(`blocks stalled too: best ${best} -> ${bestAfter}`);
      lib.record({ stall_finalized: finalized, stall_best_blocks_in_20s: bestAfter - best });
      keep("stall", { restart_at: Date.now() });
      break;
    }
    case "resumed": {
      const from = await lib.finalizedNumber(rpc);
      await lib.waitFor("finality to resume", 180, async () => (await lib.finalizedNumber(rpc)) > from);
      const { restart_at: restartAt } = kept("stall");
      const resumed = (Date.now() - restartAt) / 1000;
      const ids = kept("stall-jobs");
      const ended = await lib.waitFor("the jobs of the stall to end, finalized", 180, async () => {
        const at = await rpc.at(await rpc.rpc.chain.getFinalizedHead());
        const states = await Promise.all(ids.map(async (id) => {
          const record = await at.query.jobs.jobRecords(id);
          return record.isSome ? record.unwrap().state.toJSON() : null;
        }));
        return states.every(lib.isFinal) && states;
      });
      lib.record({ stall_resume_first_finalized_seconds: resumed, stall_jobs_ended: ended.map(lib.stateName),
        stall_jobs_all_ended_seconds: (Date.now() - restartAt) / 1000 });
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
      // The miner's own log says when it moved (tracing's RFC 3339 timestamps).
      const log = fs.readFileSync(path.join(process.env.AITBC_ZOMBIE_OUT, "drill-miner.log"), "utf8")
        .replace(/\x1b\[[0-9;]*m/g, "");
      const moved = log.split("\n").filter((line) => line.includes("failed over to another node")).pop();
      if (!moved) throw new Error("the miner's log has no failover");
      lib.record({ failover_seconds: (Date.parse(moved.split(/\s+/)[0]) - killed) / 1000,
        failover_jobs_completed_seconds: (Date.now() - killed) / 1000 });
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
