// A validator joins at runtime, without a restart: the standby node (`eve`, started with
// --validator, not in the genesis set) generates session keys (`author_rotateKeysWithOwner`),
// //Eve registers them (`Session::set_keys`), a referendum on the `validator_admin` track adds
// //Eve (`ValidatorSet::add_validator`); from the session after next Eve is in the session's
// validators, Aura's and GRANDPA's authorities, and authors blocks. (That Eve also votes in
// GRANDPA is shown by the next step of network.zndsl: with Dave paused, 4 of the 5 validators
// are needed to finalize, so finality moves only with Eve's votes.)
const lib = require("./lib");

async function run(nodeName, networkInfo) {
  const api = await lib.connect(networkInfo.nodesByName.rpc.wsUri);
  const eve = lib.account("//Eve");
  const owner = lib.u8aToHex(lib.decodeAddress(eve.address));
  const generated = await lib.rpcCall(networkInfo.nodesByName[nodeName].wsUri, "author_rotateKeysWithOwner", [owner]);
  await lib.send(api, api.tx.session.setKeys(generated.keys, generated.proof), eve);
  const keys = api.createType(api.tx.session.setKeys.meta.args[0].type.toString(), generated.keys);
  const auraKey = keys.aura.toHex();
  const grandpaKey = keys.grandpa.toHex();

  const proposed = Date.now();
  await lib.passReferendum(api, { Origins: "ValidatorAdmin" }, api.tx.validatorSet.addValidator(eve.address));
  const enacted = Date.now();
  const eveHex = lib.u8aToHex(eve.publicKey);
  await lib.waitFor("Eve in the session's validators", 120, async () =>
    (await api.query.session.validators()).some((v) => v.toHex() === eveHex));
  const active = Date.now();
  const auras = (await api.query.aura.authorities()).map((a) => a.toHex());
  if (!auras.includes(auraKey)) throw new Error("Eve's Aura key is not an authority");

  // A block whose Aura slot falls to Eve's key.
  const authored = await lib.waitFor("a block authored by Eve", 120, async () => {
    const header = await api.rpc.chain.getHeader();
    const digest = header.digest.logs.find((log) => log.isPreRuntime && log.asPreRuntime[0].isAura);
    if (!digest) return false;
    const slot = api.createType("u64", digest.asPreRuntime[1]).toBigInt();
    const authorities = await (await api.at(header.parentHash)).query.aura.authorities();
    const author = authorities[Number(slot % BigInt(authorities.length))].toHex();
    return author === auraKey && header.number.toNumber();
  });
  const grandpa = await api.call.grandpaApi.grandpaAuthorities();
  if (!grandpa.some(([key]) => key.toHex() === grandpaKey)) {
    throw new Error("Eve's GRANDPA key is not in the authority set");
  }
  lib.record({
    join_referendum_seconds: (enacted - proposed) / 1000,
    join_enacted_to_active_seconds: (active - enacted) / 1000,
    join_first_block: authored,
    join_first_block_after_enactment_seconds: (Date.now() - enacted) / 1000,
  });
  await api.disconnect();
  return 0;
}

module.exports = { run };
