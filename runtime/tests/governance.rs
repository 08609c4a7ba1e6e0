//! Governance end to end in the runtime, on the `development` genesis (development periods,
//! Alice, Bob and Charlie on the technical committee): referenda on each kind of track pass
//! or fail by their curves, votes count directly and by delegation, deposits follow the
//! referenda pallet's rules, treasury spends pay out, a ban stops assignments, and a call the
//! committee whitelists is enacted through the whitelisted track. The invariants of every
//! pallet are checked after every block.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

mod common;
use common::{new_ext, signed_result};

use aitbc_runtime::{
	governance::{origins::pallet_origins::Origin as TrackOrigin, tracks::id},
	AccountId, AllPalletsWithSystem, Balance, Balances, BlockNumber, ConvictionVoting,
	OriginCaller, Params, Preimage, Referenda, Runtime, RuntimeCall, RuntimeOrigin, System,
	TechnicalCommittee, Treasury, UNIT,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::{schedule::DispatchTime, Bounded, Currency, Get, OnInitialize, StorePreimage},
	weights::Weight,
};
use pallet_conviction_voting::{AccountVote, Conviction, Vote};
use pallet_referenda::{ReferendumInfo, ReferendumInfoFor};
use sp_keyring::Sr25519Keyring::{self, *};
use sp_runtime::{traits::Hash, DispatchError, Perbill};

fn acc(who: Sr25519Keyring) -> AccountId {
	who.to_account_id()
}

fn signed(who: Sr25519Keyring) -> RuntimeOrigin {
	RuntimeOrigin::signed(acc(who))
}

/// Runs the block hooks up to block `n`, checking every invariant after each block.
fn run_to(n: BlockNumber) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		AllPalletsWithSystem::on_initialize(next);
		check_invariants();
	}
}

/// The invariants of every pallet: the marketplace pallets' own checks, and for the SDK's
/// pallets (whose `try_state` only exists in `try-runtime` builds) the same properties read
/// from their storage.
fn check_invariants() {
	pallet_aitbc_miners::Pallet::<Runtime>::do_try_state().unwrap();
	pallet_aitbc_escrow::Pallet::<Runtime>::do_try_state().unwrap();
	pallet_aitbc_receipts::Pallet::<Runtime>::do_try_state().unwrap();
	pallet_aitbc_jobs::Pallet::<Runtime>::do_try_state().unwrap();
	pallet_aitbc_validators::Pallet::<Runtime>::do_try_state().unwrap();

	// session: Aura's and GRANDPA's authorities are the keys of the session's validators
	let keys: Vec<_> = pallet_session::Validators::<Runtime>::get()
		.iter()
		.map(|v| pallet_session::NextKeys::<Runtime>::get(v).expect("a validator has keys"))
		.collect();
	if pallet_session::QueuedKeys::<Runtime>::get().iter().map(|(_, k)| k).eq(keys.iter()) {
		let aura: Vec<_> = keys.iter().map(|k| k.aura.clone()).collect();
		assert_eq!(
			pallet_aura::Authorities::<Runtime>::get().into_inner(),
			aura,
			"aura authorities"
		);
	}

	// balances: the total issuance is what the accounts hold
	let held: Balance = frame_system::Account::<Runtime>::iter()
		.map(|(_, info)| info.data.free + info.data.reserved)
		.sum();
	assert_eq!(held, pallet_balances::TotalIssuance::<Runtime>::get(), "issuance");

	// referenda (the pallet's own `try_state`, and more): one record per index below the
	// count, metadata only for stored referenda; a decided referendum began deciding before
	// confirming; per track, the deciding count covers the ongoing referenda being decided
	// (it drops one block after a decision ends) and stays within `max_deciding`; queued
	// referenda are ongoing on that track and not being decided
	let count = pallet_referenda::ReferendumCount::<Runtime>::get();
	assert_eq!(ReferendumInfoFor::<Runtime>::iter_keys().count(), count as usize);
	assert!(pallet_referenda::MetadataOf::<Runtime>::iter_keys()
		.all(ReferendumInfoFor::<Runtime>::contains_key));
	let mut deciding = std::collections::BTreeMap::<u16, u32>::new();
	for (index, info) in ReferendumInfoFor::<Runtime>::iter() {
		assert!(index < count, "referendum {index} above the count {count}");
		if let ReferendumInfo::Ongoing(status) = info {
			if let Some(decision) = status.deciding {
				assert!(decision.since < decision.confirming.unwrap_or(BlockNumber::MAX));
				*deciding.entry(status.track).or_default() += 1;
			}
		}
	}
	for track in aitbc_runtime::governance::tracks::tracks(Default::default()) {
		let stored = pallet_referenda::DecidingCount::<Runtime>::get(track.id);
		assert!(stored >= deciding.get(&track.id).copied().unwrap_or(0), "deciding count");
		assert!(stored <= track.info.max_deciding);
		for (index, _) in pallet_referenda::TrackQueue::<Runtime>::get(track.id) {
			let Some(ReferendumInfo::Ongoing(status)) = ReferendumInfoFor::<Runtime>::get(index)
			else {
				panic!("queued referendum {index} is not ongoing");
			};
			assert!(status.deciding.is_none() && status.track == track.id);
		}
	}

	// conviction voting: each account's lock covers its largest class lock
	for (who, locks) in pallet_conviction_voting::ClassLocksFor::<Runtime>::iter() {
		let largest = locks.iter().map(|(_, amount)| *amount).max().unwrap_or_default();
		let lock = pallet_balances::Locks::<Runtime>::get(&who)
			.iter()
			.find(|l| l.id == *b"pyconvot")
			.map(|l| l.amount)
			.unwrap_or_default();
		assert_eq!(lock, largest, "voting lock of {who}");
	}

	// committee: every proposal has its call and its votes, and nothing else is stored
	let proposals = pallet_collective::Proposals::<Runtime, pallet_collective::Instance1>::get();
	assert_eq!(
		pallet_collective::ProposalOf::<Runtime, pallet_collective::Instance1>::iter().count(),
		proposals.len()
	);
	assert_eq!(
		pallet_collective::Voting::<Runtime, pallet_collective::Instance1>::iter().count(),
		proposals.len()
	);
	for hash in proposals {
		assert!(
			pallet_collective::ProposalOf::<Runtime, pallet_collective::Instance1>::contains_key(
				hash
			)
		);
	}

	// treasury: every spend index below the count
	let spends = pallet_treasury::SpendCount::<Runtime>::get();
	assert!(pallet_treasury::Spends::<Runtime>::iter_keys().all(|i| i < spends));
}

/// A referendum's state in this runtime.
type Info = pallet_referenda::ReferendumInfoOf<Runtime, ()>;

/// The referendum `index`'s state.
fn info(index: u32) -> Info {
	ReferendumInfoFor::<Runtime>::get(index).expect("the referendum exists")
}

/// Notes `call` as a preimage (by `who`, who holds its deposit) and submits it as a
/// referendum dispatched with `origin`; places the decision deposit. Returns its index.
fn propose(who: Sr25519Keyring, origin: OriginCaller, call: RuntimeCall) -> u32 {
	let bytes = codec::Encode::encode(&call);
	assert_ok!(Preimage::note_preimage(signed(who), bytes.clone()));
	let proposal = Bounded::Lookup {
		hash: <Runtime as frame_system::Config>::Hashing::hash(&bytes),
		len: bytes.len() as u32,
	};
	let index = pallet_referenda::ReferendumCount::<Runtime>::get();
	assert_ok!(Referenda::submit(signed(who), Box::new(origin), proposal, DispatchTime::After(1)));
	assert_ok!(Referenda::place_decision_deposit(signed(who), index));
	index
}

fn aye(balance: Balance, conviction: Conviction) -> AccountVote<Balance> {
	AccountVote::Standard { vote: Vote { aye: true, conviction }, balance }
}

fn market_params_with_fee(percent: u32) -> RuntimeCall {
	let mut params = Params::parameters_now();
	params.protocol_fee = Perbill::from_percent(percent);
	RuntimeCall::Params(pallet_aitbc_params::Call::set_parameters { params })
}

trait ParamsNow {
	fn parameters_now() -> aitbc_runtime::MarketParameters;
}
impl ParamsNow for Params {
	fn parameters_now() -> aitbc_runtime::MarketParameters {
		pallet_aitbc_params::Parameters::<Runtime>::get()
	}
}

/// Alice and Bob vote 1,300,000 AIT aye (about 11 % support, above every track's curve but
/// `root`'s and `big_spender`'s), the referendum passes and is enacted.
fn approve_and_enact(index: u32) {
	assert_ok!(ConvictionVoting::vote(
		signed(Alice),
		index,
		aye(800_000 * UNIT, Conviction::Locked1x)
	));
	assert_ok!(ConvictionVoting::vote(
		signed(Bob),
		index,
		aye(500_000 * UNIT, Conviction::Locked1x)
	));
	run_until_decided(index, 60);
	assert!(matches!(info(index), ReferendumInfo::Approved(..)));
	run_to(System::block_number() + 3);
}

/// The track `id` under the development timing.
fn track(id: u16) -> pallet_referenda::TrackInfo<Balance, BlockNumber> {
	aitbc_runtime::governance::tracks::tracks(Default::default())
		.into_iter()
		.find(|t| t.id == id)
		.unwrap()
		.info
}

/// Runs until referendum `index` is no longer ongoing (at most `limit` blocks).
fn run_until_decided(index: u32, limit: BlockNumber) {
	let end = System::block_number() + limit;
	while matches!(info(index), ReferendumInfo::Ongoing(_)) {
		assert!(System::block_number() < end, "referendum {index} still ongoing");
		run_to(System::block_number() + 1);
	}
}

fn events() -> Vec<aitbc_runtime::RuntimeEvent> {
	System::events().into_iter().map(|r| r.event).collect()
}

#[test]
fn a_supported_market_params_referendum_changes_the_fee_with_direct_and_delegated_votes() {
	new_ext().execute_with(|| {
		let fee_before = pallet_aitbc_params::Parameters::<Runtime>::get().protocol_fee;
		assert_eq!(fee_before, Perbill::from_percent(2));
		let free_before = Balances::free_balance(acc(Alice));
		let index = propose(
			Alice,
			OriginCaller::Origins(TrackOrigin::MarketParams),
			market_params_with_fee(3),
		);
		let ReferendumInfo::Ongoing(status) = info(index) else { panic!() };
		assert_eq!(status.track, id::MARKET_PARAMS);

		// Alice and Bob vote directly; Charlie delegates to Dave, who votes
		assert_ok!(ConvictionVoting::vote(
			signed(Alice),
			index,
			aye(300_000 * UNIT, Conviction::Locked1x)
		));
		assert_ok!(ConvictionVoting::vote(
			signed(Bob),
			index,
			aye(100_000 * UNIT, Conviction::Locked3x)
		));
		assert_ok!(ConvictionVoting::delegate(
			signed(Charlie),
			id::MARKET_PARAMS,
			acc(Dave).into(),
			Conviction::Locked2x,
			400_000 * UNIT
		));
		assert_ok!(ConvictionVoting::vote(
			signed(Dave),
			index,
			aye(200_000 * UNIT, Conviction::None)
		));
		let ReferendumInfo::Ongoing(status) = info(index) else { panic!() };
		// support is the capital behind the ayes, the delegated 400,000 AIT included; the
		// ayes are conviction-weighted (Locked1x: 1x, Locked3x: 3x, Locked2x: 2x, None: 0.1x)
		assert_eq!(status.tally.support, 1_000_000 * UNIT);
		assert_eq!(status.tally.ayes, (300_000 + 300_000 + 800_000 + 20_000) * UNIT);
		assert_eq!(status.tally.nays, 0);

		run_until_decided(index, 60);
		assert!(matches!(info(index), ReferendumInfo::Approved(..)));
		// enacted by the scheduler after `min_enactment_period`
		run_to(System::block_number() + 3);
		assert_eq!(
			pallet_aitbc_params::Parameters::<Runtime>::get().protocol_fee,
			Perbill::from_percent(3)
		);
		assert!(events().iter().any(|e| matches!(
			e,
			aitbc_runtime::RuntimeEvent::Params(pallet_aitbc_params::Event::ParametersSet { .. })
		)));

		// an approved referendum returns both deposits
		assert_ok!(Referenda::refund_submission_deposit(signed(Alice), index));
		assert_ok!(Referenda::refund_decision_deposit(signed(Alice), index));
		// the preimage's deposit stays held until its owner unnotes it
		let bytes = codec::Encode::encode(&market_params_with_fee(3));
		let hash = <Runtime as frame_system::Config>::Hashing::hash(&bytes);
		assert_eq!(
			Balances::reserved_balance(acc(Alice)),
			UNIT + bytes.len() as u128 * UNIT / 1_000
		);
		assert_ok!(Preimage::unnote_preimage(signed(Alice), hash));
		assert_eq!(Balances::reserved_balance(acc(Alice)), 0);
		// Alice paid nothing: her votes only lock her balance
		assert_eq!(Balances::total_balance(&acc(Alice)), free_before);
	});
}

#[test]
fn a_track_origin_can_only_do_its_own_kind_of_proposal() {
	new_ext().execute_with(|| {
		let params = pallet_aitbc_params::Parameters::<Runtime>::get();
		let miner_admin: RuntimeOrigin = OriginCaller::Origins(TrackOrigin::MinerAdmin).into();
		assert_noop!(Params::set_parameters(miner_admin, params.clone()), DispatchError::BadOrigin);
		let market: RuntimeOrigin = OriginCaller::Origins(TrackOrigin::MarketParams).into();
		assert_ok!(Params::set_parameters(market.clone(), params));
		assert_noop!(
			pallet_aitbc_miners::Pallet::<Runtime>::ban(market.clone(), acc(Eve)),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Treasury::spend(market, Box::new(()), UNIT, Box::new(acc(Eve)), None),
			DispatchError::BadOrigin
		);
		// each spender may spend up to its cap, not above
		let small: RuntimeOrigin = OriginCaller::Origins(TrackOrigin::SmallSpender).into();
		assert_noop!(
			Treasury::spend(small.clone(), Box::new(()), 10_001 * UNIT, Box::new(acc(Eve)), None),
			pallet_treasury::Error::<Runtime>::InsufficientPermission
		);
		assert_ok!(Treasury::spend(small, Box::new(()), 10_000 * UNIT, Box::new(acc(Eve)), None));
		let big: RuntimeOrigin = OriginCaller::Origins(TrackOrigin::BigSpender).into();
		assert_noop!(
			Treasury::spend(big.clone(), Box::new(()), 100_001 * UNIT, Box::new(acc(Eve)), None),
			pallet_treasury::Error::<Runtime>::InsufficientPermission
		);
		assert_ok!(Treasury::spend(big, Box::new(()), 100_000 * UNIT, Box::new(acc(Eve)), None));
		let admin: RuntimeOrigin = OriginCaller::Origins(TrackOrigin::MinerAdmin).into();
		assert_noop!(
			Treasury::spend(admin, Box::new(()), UNIT, Box::new(acc(Eve)), None),
			DispatchError::BadOrigin
		);
		// the whitelisted caller dispatches only what the committee whitelisted: anything else
		// is deferred, not dispatched (anyone may dispatch it if the committee whitelists it
		// within the deferral window)
		let whitelisted: RuntimeOrigin =
			OriginCaller::Origins(TrackOrigin::WhitelistedCaller).into();
		let fee_before = pallet_aitbc_params::Parameters::<Runtime>::get().protocol_fee;
		let _ = pallet_whitelist::Pallet::<Runtime>::dispatch_whitelisted_call_with_preimage(
			whitelisted,
			Box::new(market_params_with_fee(7)),
		);
		assert_eq!(pallet_aitbc_params::Parameters::<Runtime>::get().protocol_fee, fee_before);
		assert_noop!(
			Params::set_parameters(
				OriginCaller::Origins(TrackOrigin::WhitelistedCaller).into(),
				pallet_aitbc_params::Parameters::<Runtime>::get()
			),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn a_referendum_without_enough_support_changes_nothing_and_keeps_the_submission_deposit() {
	new_ext().execute_with(|| {
		let params_before = pallet_aitbc_params::Parameters::<Runtime>::get();
		let index = propose(
			Alice,
			OriginCaller::Origins(TrackOrigin::MarketParams),
			market_params_with_fee(50),
		);
		// 1,000 AIT of support out of 12 million issued: far below the curve (10 % falling
		// to 1 %)
		assert_ok!(ConvictionVoting::vote(
			signed(Bob),
			index,
			aye(1_000 * UNIT, Conviction::Locked6x)
		));
		run_until_decided(index, 200);
		assert!(matches!(info(index), ReferendumInfo::Rejected(..)));
		run_to(System::block_number() + 5);
		assert_eq!(pallet_aitbc_params::Parameters::<Runtime>::get(), params_before);

		// a rejected referendum returns the decision deposit, not the submission deposit
		let submission = <Runtime as pallet_referenda::Config>::SubmissionDeposit::get();
		let market = track(id::MARKET_PARAMS);
		let reserved = Balances::reserved_balance(acc(Alice));
		assert_ok!(Referenda::refund_decision_deposit(signed(Alice), index));
		assert_eq!(Balances::reserved_balance(acc(Alice)), reserved - market.decision_deposit);
		assert_noop!(
			Referenda::refund_submission_deposit(signed(Alice), index),
			pallet_referenda::Error::<Runtime>::BadStatus
		);
		// what stays held: the submission deposit and the preimage's deposit
		let preimage =
			UNIT + codec::Encode::encoded_size(&market_params_with_fee(50)) as u128 * UNIT / 1_000;
		assert_eq!(Balances::reserved_balance(acc(Alice)), submission + preimage);

		// one that never gets its decision deposit times out, and keeps the submission deposit
		let call = market_params_with_fee(40);
		let bounded = <Preimage as StorePreimage>::bound(call).unwrap();
		let next = pallet_referenda::ReferendumCount::<Runtime>::get();
		assert_ok!(Referenda::submit(
			signed(Ferdie),
			Box::new(OriginCaller::Origins(TrackOrigin::MarketParams)),
			bounded,
			DispatchTime::After(1)
		));
		run_until_decided(
			next,
			aitbc_runtime::governance::tracks::undeciding_timeout(
				aitbc_runtime::governance::origins::pallet_origins::Timing::Development,
			) + 5,
		);
		assert!(matches!(info(next), ReferendumInfo::TimedOut(..)));
		assert_noop!(
			Referenda::refund_submission_deposit(signed(Ferdie), next),
			pallet_referenda::Error::<Runtime>::BadStatus
		);
		assert_eq!(Balances::reserved_balance(acc(Ferdie)), submission);
		assert_eq!(pallet_aitbc_params::Parameters::<Runtime>::get(), params_before);
	});
}

#[test]
fn a_small_spender_referendum_pays_out_of_the_treasury_through_payout() {
	new_ext().execute_with(|| {
		let treasury = aitbc_runtime::configs::treasury_account();
		// the treasury holds protocol fees and slashes; give it some
		assert_ok!(Balances::transfer_keep_alive(
			signed(Ferdie),
			treasury.clone().into(),
			50_000 * UNIT
		));
		let pot = Balances::free_balance(&treasury);
		let eve = Balances::free_balance(acc(Eve));
		let spend = RuntimeCall::Treasury(pallet_treasury::Call::spend {
			asset_kind: Box::new(()),
			amount: 5_000 * UNIT,
			beneficiary: Box::new(acc(Eve)),
			valid_from: None,
		});
		let index = propose(Alice, OriginCaller::Origins(TrackOrigin::SmallSpender), spend);
		let ReferendumInfo::Ongoing(status) = info(index) else { panic!() };
		assert_eq!(status.track, id::SMALL_SPENDER);
		approve_and_enact(index);
		assert_eq!(pallet_treasury::SpendCount::<Runtime>::get(), 1);
		// nothing moves until someone calls `payout`
		assert_eq!(Balances::free_balance(acc(Eve)), eve);
		assert_ok!(Treasury::payout(signed(Ferdie), 0));
		assert_eq!(Balances::free_balance(acc(Eve)), eve + 5_000 * UNIT);
		assert_eq!(Balances::free_balance(&treasury), pot - 5_000 * UNIT);
		assert_ok!(Treasury::check_status(signed(Ferdie), 0));
		assert!(pallet_treasury::Spends::<Runtime>::get(0).is_none());
		assert_noop!(
			Treasury::payout(signed(Ferdie), 0),
			pallet_treasury::Error::<Runtime>::InvalidIndex
		);
		check_invariants();
	});
}

fn register_miner(owner: Sr25519Keyring, operator: Sr25519Keyring) {
	use pallet_aitbc_miners::{GpuInfo, MinerOffer};
	let offer = MinerOffer {
		models: vec![b"llama3.2:latest".to_vec().try_into().unwrap()].try_into().unwrap(),
		unit_type: aitbc_primitives::UnitType::OutputToken,
		unit_price: 1_000,
		capacity: 4,
		gpu: GpuInfo { name: b"H100".to_vec().try_into().unwrap(), vram_mib: 81_920, count: 1 },
	};
	assert_ok!(pallet_aitbc_miners::Pallet::<Runtime>::do_register(
		acc(owner),
		acc(operator),
		offer,
		10_000 * UNIT
	));
}

fn submit_job(client: Sr25519Keyring) -> u64 {
	let id = pallet_aitbc_jobs::NextJobId::<Runtime>::get();
	assert_ok!(pallet_aitbc_jobs::Pallet::<Runtime>::submit_job(
		signed(client),
		pallet_aitbc_jobs::JobKind::TextInference,
		b"llama3.2:latest".to_vec().try_into().unwrap(),
		b"What is machine learning?".to_vec().try_into().unwrap(),
		pallet_aitbc_jobs::InferenceParams { temperature_milli: 700, max_tokens: 64, seed: None },
		10 * UNIT,
		None,
		None,
	));
	id
}

fn job_state(
	id: u64,
) -> pallet_aitbc_jobs::JobState<AccountId, pallet_aitbc_jobs::ReasonOf<Runtime>> {
	pallet_aitbc_jobs::JobRecords::<Runtime>::get(id).unwrap().state
}

#[test]
fn a_miner_admin_ban_stops_assignments_to_that_miner() {
	new_ext().execute_with(|| {
		register_miner(Eve, Ferdie);
		let first = submit_job(Dave);
		run_to(System::block_number() + 1);
		assert!(matches!(job_state(first), pallet_aitbc_jobs::JobState::Assigned { operator } if operator == acc(Ferdie)));

		let ban = RuntimeCall::Miners(pallet_aitbc_miners::Call::ban { owner: acc(Eve) });
		let index = propose(Alice, OriginCaller::Origins(TrackOrigin::MinerAdmin), ban);
		approve_and_enact(index);
		let miner = pallet_aitbc_miners::MinerRecords::<Runtime>::get(acc(Ferdie)).unwrap();
		assert_eq!(miner.status, aitbc_primitives::MinerStatus::Banned);

		// the next job finds no miner; the banned one cannot come back by itself
		let second = submit_job(Dave);
		run_to(System::block_number() + 2);
		assert_eq!(job_state(second), pallet_aitbc_jobs::JobState::Queued);
		assert_noop!(
			pallet_aitbc_miners::Pallet::<Runtime>::go_online(signed(Ferdie)),
			pallet_aitbc_miners::Error::<Runtime>::Banned
		);
		assert_noop!(
			pallet_aitbc_miners::Pallet::<Runtime>::go_offline(signed(Ferdie)),
			pallet_aitbc_miners::Error::<Runtime>::Banned
		);

		// unbanned (here by Root, which may do what any track may), it returns with go_online
		// and takes the queued job
		assert_ok!(pallet_aitbc_miners::Pallet::<Runtime>::unban(RuntimeOrigin::root(), acc(Eve)));
		assert_ok!(pallet_aitbc_miners::Pallet::<Runtime>::go_online(signed(Ferdie)));
		run_to(System::block_number() + 1);
		assert!(matches!(job_state(second), pallet_aitbc_jobs::JobState::Assigned { .. }));
	});
}

#[test]
fn a_call_the_committee_whitelists_is_enacted_through_the_whitelisted_track() {
	new_ext().execute_with(|| {
		let mut params = pallet_aitbc_params::Parameters::<Runtime>::get();
		params.min_fee = 20_000;
		let call = RuntimeCall::Params(pallet_aitbc_params::Call::set_parameters { params });
		let call_hash = <Runtime as frame_system::Config>::Hashing::hash_of(&call);

		// a committee motion: Alice proposes, Bob seconds, two thirds reached, closed
		let whitelist =
			RuntimeCall::Whitelist(pallet_whitelist::Call::whitelist_call { call_hash });
		let length = codec::Encode::encoded_size(&whitelist) as u32;
		assert_noop!(
			TechnicalCommittee::propose(signed(Dave), 2, Box::new(whitelist.clone()), length),
			pallet_collective::Error::<Runtime, pallet_collective::Instance1>::NotMember
		);
		assert_ok!(TechnicalCommittee::propose(
			signed(Alice),
			2,
			Box::new(whitelist.clone()),
			length
		));
		let motion = <Runtime as frame_system::Config>::Hashing::hash_of(&whitelist);
		// the proposer's vote is not implied
		assert_ok!(TechnicalCommittee::vote(signed(Alice), motion, 0, true));
		assert_noop!(
			TechnicalCommittee::close(signed(Charlie), motion, 0, Weight::MAX, length),
			pallet_collective::Error::<Runtime, pallet_collective::Instance1>::TooEarly
		);
		assert_ok!(TechnicalCommittee::vote(signed(Bob), motion, 0, true));
		assert_ok!(TechnicalCommittee::close(signed(Charlie), motion, 0, Weight::MAX, length));
		assert!(pallet_whitelist::WhitelistedCall::<Runtime>::contains_key(call_hash));

		// one committee member alone cannot whitelist
		assert_noop!(
			pallet_whitelist::Pallet::<Runtime>::whitelist_call(signed(Alice), call_hash),
			DispatchError::BadOrigin
		);

		// the whitelisted track needs little support: 700,000 AIT of 12 million issued
		let dispatch = RuntimeCall::Whitelist(
			pallet_whitelist::Call::dispatch_whitelisted_call_with_preimage {
				call: Box::new(call),
			},
		);
		let index = propose(Alice, OriginCaller::Origins(TrackOrigin::WhitelistedCaller), dispatch);
		let ReferendumInfo::Ongoing(status) = info(index) else { panic!() };
		assert_eq!(status.track, id::WHITELISTED_CALLER);
		assert_ok!(ConvictionVoting::vote(
			signed(Alice),
			index,
			aye(700_000 * UNIT, Conviction::Locked1x)
		));
		run_until_decided(index, 60);
		assert!(matches!(info(index), ReferendumInfo::Approved(..)));
		run_to(System::block_number() + 3);
		assert_eq!(pallet_aitbc_params::Parameters::<Runtime>::get().min_fee, 20_000);
		assert!(!pallet_whitelist::WhitelistedCall::<Runtime>::contains_key(call_hash));
	});
}

#[test]
fn the_chains_periods_come_from_the_governed_timing() {
	use aitbc_runtime::governance::origins::pallet_origins::{GovernanceTiming, Timing};
	new_ext().execute_with(|| {
		assert_eq!(GovernanceTiming::<Runtime>::get(), Timing::Development);
		let track = |id| {
			<aitbc_runtime::governance::tracks::TracksInfo as pallet_referenda::TracksInfo<
				Balance,
				BlockNumber,
			>>::info(id)
			.unwrap()
			.into_owned()
		};
		assert_eq!(track(id::MARKET_PARAMS).decision_period, 150);
		assert_noop!(
			aitbc_runtime::Origins::set_timing(signed(Alice), Timing::Production),
			DispatchError::BadOrigin
		);
		assert_ok!(aitbc_runtime::Origins::set_timing(RuntimeOrigin::root(), Timing::Production));
		// a live chain cannot be switched to development periods
		assert_noop!(
			aitbc_runtime::Origins::set_timing(RuntimeOrigin::root(), Timing::Development),
			aitbc_runtime::governance::origins::pallet_origins::Error::<Runtime>::DevelopmentOnlyAtGenesis
		);
		assert_eq!(track(id::MARKET_PARAMS).decision_period, 14 * aitbc_runtime::DAYS);
		assert_eq!(
			<Runtime as pallet_conviction_voting::Config>::VoteLockingPeriod::get(),
			7 * aitbc_runtime::DAYS
		);
	});
}

/// Acknowledges job `id` as `operator` and submits a signed result of 40 tokens.
fn complete_job(id: u64, operator: Sr25519Keyring) -> pallet_aitbc_jobs::JobOf<Runtime> {
	type Jobs = pallet_aitbc_jobs::Pallet<Runtime>;
	assert_ok!(Jobs::acknowledge(signed(operator), vec![id].try_into().unwrap()));
	let usage = aitbc_primitives::Usage { prompt_tokens: 5, output_tokens: 40, compute_ms: 900 };
	let result = signed_result(id, operator, b"Machine learning is learning from data.", usage);
	assert_ok!(Jobs::submit_results(signed(operator), vec![result].try_into().unwrap()));
	pallet_aitbc_jobs::JobRecords::<Runtime>::get(id).unwrap()
}

#[test]
fn a_client_that_locks_its_whole_balance_in_votes_still_pays_its_jobs() {
	new_ext().execute_with(|| {
		register_miner(Eve, Ferdie);
		let id = submit_job(Dave);
		run_to(System::block_number() + 1);
		// conviction voting locks up to the total balance, held funds included: Dave
		// delegates all of it, without conviction, so it can take it back at once
		let total = Balances::total_balance(&acc(Dave));
		assert_ok!(ConvictionVoting::delegate(
			signed(Dave),
			id::MARKET_PARAMS,
			acc(Alice).into(),
			Conviction::None,
			total
		));
		// the escrowed budget still pays the honest miner and the fee
		let miner_before = Balances::free_balance(acc(Eve));
		let job = complete_job(id, Ferdie);
		assert!(matches!(job.state, pallet_aitbc_jobs::JobState::Completed { .. }));
		let params = pallet_aitbc_params::Parameters::<Runtime>::get();
		let price = 40 * 1_000;
		let fee = params.protocol_fee.mul_floor(price).max(params.min_fee).min(price);
		assert_eq!(Balances::free_balance(acc(Eve)), miner_before + price - fee);
		check_invariants();
	});
}

#[test]
fn a_spend_cannot_close_the_treasury_account() {
	new_ext().execute_with(|| {
		let treasury = aitbc_runtime::configs::treasury_account();
		let pot = Balances::free_balance(&treasury);
		let small: RuntimeOrigin = OriginCaller::Origins(TrackOrigin::SmallSpender).into();
		assert_ok!(Treasury::spend(small, Box::new(()), pot, Box::new(acc(Eve)), None));
		// paying the whole balance would close the account, which receives fees below the
		// existential deposit: the payout fails and can be retried once the treasury has more
		assert_noop!(
			Treasury::payout(signed(Ferdie), 0),
			pallet_treasury::Error::<Runtime>::PayoutError
		);
		assert_eq!(Balances::free_balance(&treasury), pot);
		assert_ok!(Balances::transfer_keep_alive(signed(Ferdie), treasury.clone().into(), UNIT));
		assert_ok!(Treasury::payout(signed(Ferdie), 0));
		assert_eq!(Balances::free_balance(&treasury), UNIT);
	});
}

#[test]
fn referenda_are_cancelled_and_killed_by_their_own_tracks_not_by_the_committee() {
	new_ext().execute_with(|| {
		let index = propose(
			Ferdie,
			OriginCaller::Origins(TrackOrigin::MarketParams),
			market_params_with_fee(9),
		);
		// two thirds of the committee cannot cancel a referendum (e.g. one replacing it)
		let two_thirds: RuntimeOrigin =
			pallet_collective::RawOrigin::<AccountId, pallet_collective::Instance1>::Members(2, 3)
				.into();
		assert_noop!(Referenda::cancel(two_thirds, index), DispatchError::BadOrigin);
		// a referendum on the killer track kills it and slashes its deposits to the treasury
		let treasury = aitbc_runtime::configs::treasury_account();
		let pot = Balances::free_balance(&treasury);
		let kill = RuntimeCall::Referenda(pallet_referenda::Call::kill { index });
		let killer = propose(Alice, OriginCaller::Origins(TrackOrigin::ReferendumKiller), kill);
		let ReferendumInfo::Ongoing(status) = info(killer) else { panic!() };
		assert_eq!(status.track, id::REFERENDUM_KILLER);
		approve_and_enact(killer);
		assert!(matches!(info(index), ReferendumInfo::Killed(..)));
		let market = track(id::MARKET_PARAMS);
		let submission = <Runtime as pallet_referenda::Config>::SubmissionDeposit::get();
		assert_eq!(Balances::free_balance(&treasury), pot + submission + market.decision_deposit);
		// the canceller track's origin cancels; a spender's does not
		let other = propose(
			Ferdie,
			OriginCaller::Origins(TrackOrigin::MarketParams),
			market_params_with_fee(8),
		);
		let spender: RuntimeOrigin = OriginCaller::Origins(TrackOrigin::BigSpender).into();
		assert_noop!(Referenda::cancel(spender, other), DispatchError::BadOrigin);
		let canceller: RuntimeOrigin =
			OriginCaller::Origins(TrackOrigin::ReferendumCanceller).into();
		assert_ok!(Referenda::cancel(canceller, other));
		assert_ok!(Referenda::refund_submission_deposit(signed(Ferdie), other));
	});
}

#[test]
fn only_the_development_preset_has_a_sudo_key() {
	use aitbc_runtime::genesis_config_presets::get_preset;
	let preset = |id: &str| -> serde_json::Value {
		serde_json::from_slice(&get_preset(&id.into()).unwrap()).unwrap()
	};
	let dev = preset("development");
	assert_eq!(dev["sudo"]["key"], serde_json::json!(acc(Alice)));
	assert_eq!(dev["origins"]["timing"], "Development");
	let local = preset("local_testnet");
	assert!(local["sudo"]["key"].is_null());
	assert_eq!(local["origins"]["timing"], "Production");
}

#[test]
fn a_validator_admin_referendum_adds_a_validator_that_authors_from_the_session_after_next() {
	use aitbc_runtime::{opaque::SessionKeys, Grandpa, Session, ValidatorSet};
	use codec::Encode;
	use pallet_aitbc_validators::{Call as SetCall, Error as SetError};
	let mut ext = new_ext();
	ext.register_extension(sp_keystore::KeystoreExt(std::sync::Arc::new(
		sp_keystore::testing::MemoryKeystore::new(),
	)));
	ext.execute_with(|| {
		assert_eq!(Session::validators(), vec![acc(Alice)]);
		// Dave cannot be added before he registers keys, not even by Root
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), acc(Dave)),
			SetError::<Runtime>::NoSessionKeys
		);

		// Dave registers fresh keys with their proof of possession (what `author_rotateKeysWithOwner`
		// returns); a proof for another owner is refused, and the key deposit is held
		let generated = SessionKeys::generate(&acc(Dave).encode(), None);
		let forged = SessionKeys::generate(&acc(Eve).encode(), None);
		assert_noop!(
			Session::set_keys(signed(Dave), generated.keys.clone(), forged.proof.encode()),
			pallet_session::Error::<Runtime>::InvalidProof
		);
		let free = Balances::free_balance(acc(Dave));
		assert_ok!(Session::set_keys(
			signed(Dave),
			generated.keys.clone(),
			generated.proof.encode()
		));
		let deposit = aitbc_runtime::configs::SessionKeyDeposit::get();
		assert_eq!(Balances::free_balance(acc(Dave)), free - deposit);

		// another track's origin cannot add a validator
		let add = RuntimeCall::ValidatorSet(SetCall::add_validator { who: acc(Dave) });
		let miner_admin: RuntimeOrigin = OriginCaller::Origins(TrackOrigin::MinerAdmin).into();
		assert_noop!(ValidatorSet::add_validator(miner_admin, acc(Dave)), DispatchError::BadOrigin);

		// referenda on `validator_admin`: sessions of 10 blocks, then Dave joins
		let length = RuntimeCall::ValidatorSet(SetCall::set_session_length { blocks: 10 });
		let index = propose(Alice, OriginCaller::Origins(TrackOrigin::ValidatorAdmin), length);
		assert_eq!(info_track(index), id::VALIDATOR_ADMIN);
		approve_and_enact(index);
		assert_eq!(pallet_aitbc_validators::SessionLength::<Runtime>::get(), 10);
		let index = propose(Alice, OriginCaller::Origins(TrackOrigin::ValidatorAdmin), add);
		approve_and_enact(index);
		assert!(events()
			.contains(&pallet_aitbc_validators::Event::ValidatorAdded { who: acc(Dave) }.into()));
		assert_eq!(Session::validators(), vec![acc(Alice)], "not before a rotation");

		// the next rotation queues the set, the one after makes it active: Aura and GRANDPA
		// take Dave's keys, GRANDPA in a new authority set
		let set_id = Grandpa::current_set_id();
		let start = System::block_number();
		while !Session::validators().contains(&acc(Dave)) {
			assert!(System::block_number() < start + 21, "Dave active within two sessions");
			run_to(System::block_number() + 1);
		}
		assert_eq!(Session::validators(), vec![acc(Alice), acc(Dave)]);
		assert!(pallet_aura::Authorities::<Runtime>::get().contains(&generated.keys.aura));
		// GRANDPA's change is scheduled in the runtime (the node enacts it with the block)
		let change = pallet_grandpa::PendingChange::<Runtime>::get().expect("a GRANDPA change");
		assert!(change.next_authorities.contains(&(generated.keys.grandpa.clone(), 1)));
		assert!(Grandpa::current_set_id() > set_id);

		// removed (by Root), he leaves the same way; the last validator cannot be removed
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), acc(Dave)));
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), acc(Alice)),
			SetError::<Runtime>::TooFewValidators
		);
		run_to(System::block_number() + 21);
		assert_eq!(Session::validators(), vec![acc(Alice)]);
		assert!(!pallet_aura::Authorities::<Runtime>::get().contains(&generated.keys.aura));

		// purging the keys returns the deposit
		assert_ok!(Session::purge_keys(signed(Dave)));
		assert_eq!(Balances::free_balance(acc(Dave)), free);
	});
}

/// The track of referendum `index`.
fn info_track(index: u32) -> u16 {
	match info(index) {
		ReferendumInfo::Ongoing(status) => status.track,
		_ => panic!("referendum {index} is not ongoing"),
	}
}
