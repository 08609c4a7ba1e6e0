//! A property test: thousands of random call sequences against the mock marketplace, with every
//! pallet's invariants checked after each step, and the economic ones (issue 11):
//!
//! - issuance grows only by the (capped) receipt rewards, and escrow holds exactly the open
//!   budgets (the pallets' `try_state`);
//! - adversaries: clients, owners and operators act at random and collude (an owner submits to
//!   its own miner, random usage up to `u32::MAX` tokens and `u64::MAX` ms, short TTLs, cancels
//!   after acknowledgement, give-ups). Each miner's group (its owner and operator accounts)
//!   never ends with more AIT than it started with, once what outside clients paid it (price
//!   less fee, and the rewards of those receipts) is taken out;
//! - an honest miner (miner 5: it delivers every job it holds in the block it sees it, inside
//!   its window) is never slashed.
//!
//! The sequences come from a fixed-seed xorshift generator, so a failure is reproducible; the
//! failing seed and step are printed. `AITBC_PROPTEST_CASES` raises the number of sequences.

use crate::{mock::*, Call as JobsCall, JobRecords, JobResult, NextJobId};
use aitbc_primitives::{UnitType, Usage};
use frame_support::{
	dispatch::GetDispatchInfo,
	traits::{fungible::Inspect, UnfilteredDispatchable},
};
use pallet_aitbc_miners::{Call as MinersCall, Event as MinersEvent, MinerRecords};
use pallet_aitbc_receipts::{
	Call as ReceiptsCall, Emitted, NextReceiptId, ReceiptRecords, ReceiptStatus,
};

/// The miner that plays by the rules.
const HONEST: u8 = 5;

/// xorshift64*: small, deterministic, good enough to pick actions.
struct Rng(u64);

impl Rng {
	fn next(&mut self) -> u64 {
		self.0 ^= self.0 >> 12;
		self.0 ^= self.0 << 25;
		self.0 ^= self.0 >> 27;
		self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
	}

	fn below(&mut self, n: u64) -> u64 {
		self.next() % n.max(1)
	}

	fn pick(&mut self, lo: u64, hi: u64) -> u64 {
		lo + self.below(hi - lo + 1)
	}
}

const MODELS: [&str; 2] = ["m", "x"];

fn dispatch(call: RuntimeCall, origin: RuntimeOrigin) {
	// Errors are expected (random input); a failed call must change nothing, which the
	// invariants after each step check.
	let _ = call.get_dispatch_info();
	let _ = call.dispatch_bypass_filter(origin);
}

fn random_job(rng: &mut Rng) -> u64 {
	let next = NextJobId::<Test>::get();
	rng.below(next + 1)
}

/// A usage value an adversary might report: honest-looking, or extreme.
fn random_usage(rng: &mut Rng) -> Usage {
	match rng.below(4) {
		0 => Usage { prompt_tokens: u32::MAX, output_tokens: u32::MAX, compute_ms: u64::MAX },
		1 => Usage { prompt_tokens: 3, output_tokens: rng.pick(0, 60) as u32, compute_ms: 0 },
		_ => Usage {
			prompt_tokens: 3,
			output_tokens: rng.pick(0, 60) as u32,
			compute_ms: rng.pick(0, 20_000),
		},
	}
}

/// The honest miner delivers every job it holds, at once, with usage inside the job's limits.
fn honest_miner_works() {
	let held: Vec<u64> = JobRecords::<Test>::iter()
		.filter(|(_, job)| job.state.operator() == Some(&operator(HONEST)))
		.map(|(id, _)| id)
		.collect();
	for job_id in held {
		let job = JobRecords::<Test>::get(job_id).unwrap();
		let Some(terms) = job.terms.clone() else { continue };
		let held_ms = (System::block_number() - job.assigned_at) * 2_000;
		let usage = Usage {
			prompt_tokens: 3,
			output_tokens: job.params.max_tokens.min(7),
			compute_ms: held_ms.min(1_500),
		};
		let price = Jobs::price_of(terms.unit_type.units(&usage), terms.unit_price, job.max_price);
		let result = Jobs::submit_result(
			RuntimeOrigin::signed(operator(HONEST)),
			job_id,
			b"honest".to_vec().try_into().unwrap(),
			usage,
			sign(HONEST, job_id, b"honest", usage, price),
		);
		assert!(result.is_ok(), "the honest miner's result was refused: {result:?}");
	}
}

/// Moves one block on; the honest miner works in every block.
fn next_block() {
	run_to_block(System::block_number() + 1);
	honest_miner_works();
}

/// `who` submits a random job: either model, up to 60 tokens, any price up to 400, sometimes
/// a short TTL.
fn random_submission(rng: &mut Rng, who: AccountId) {
	let call = JobsCall::<Test>::submit_job {
		kind: crate::JobKind::TextInference,
		model: MODELS[rng.below(2) as usize].as_bytes().to_vec().try_into().unwrap(),
		prompt: b"random prompt".to_vec().try_into().unwrap(),
		params: params(rng.pick(1, 60) as u32),
		max_price: rng.pick(1, 400) as u128,
		ttl: if rng.below(3) == 0 { Some(rng.pick(1, 40)) } else { None },
		min_reputation: None,
	};
	dispatch(call.into(), RuntimeOrigin::signed(who));
}

fn step(rng: &mut Rng) {
	let n = rng.pick(1, 5) as u8;
	match rng.below(13) {
		// Collusion: a miner's owner submits to the marketplace (often its own miner).
		12 => random_submission(rng, owner(n)),
		0 | 1 => random_submission(rng, client(n)),
		2 => {
			let job = random_job(rng);
			let call = JobsCall::<Test>::acknowledge { job_ids: vec![job].try_into().unwrap() };
			dispatch(call.into(), RuntimeOrigin::signed(operator(n)));
		}
		3 | 4 => {
			let job_id = random_job(rng);
			let usage = random_usage(rng);
			// Sign what the chain will compute, so most results are valid.
			let price = JobRecords::<Test>::get(job_id)
				.and_then(|job| {
					let terms = job.terms?;
					Some(Jobs::price_of(
						terms.unit_type.units(&usage),
						terms.unit_price,
						job.max_price,
					))
				})
				.unwrap_or_default();
			let signer = if rng.below(10) == 0 { rng.pick(1, 5) as u8 } else { n };
			let result = JobResult {
				job_id,
				output: b"random output".to_vec().try_into().unwrap(),
				usage,
				signature: sign(signer, job_id, b"random output", usage, price),
			};
			let call =
				JobsCall::<Test>::submit_results { results: vec![result].try_into().unwrap() };
			dispatch(call.into(), RuntimeOrigin::signed(operator(n)));
		}
		5 => {
			let call = JobsCall::<Test>::report_failure {
				job_id: random_job(rng),
				reason: b"backend down".to_vec().try_into().unwrap(),
			};
			dispatch(call.into(), RuntimeOrigin::signed(operator(n)));
		}
		6 => {
			let call = JobsCall::<Test>::cancel_job { job_id: random_job(rng) };
			dispatch(call.into(), RuntimeOrigin::signed(client(n)));
		}
		7 => {
			let call = match rng.below(3) {
				0 => MinersCall::<Test>::heartbeat {},
				1 => MinersCall::<Test>::go_offline {},
				_ => MinersCall::<Test>::go_online {},
			};
			dispatch(call.into(), RuntimeOrigin::signed(operator(n)));
		}
		8 => {
			let unit_type =
				if rng.below(3) == 0 { UnitType::GpuSecond } else { UnitType::OutputToken };
			let offer = offer(
				MODELS[rng.below(2) as usize],
				unit_type,
				rng.pick(1, 5) as u128,
				rng.pick(1, 3) as u32,
			);
			// mostly a valid proof of possession, sometimes another key's
			let prover = if rng.below(8) == 0 { rng.pick(1, 5) as u8 } else { n };
			let call = MinersCall::<Test>::register {
				operator: operator(n),
				offer,
				stake: STAKE,
				operator_proof: operator_proof(prover, &owner(n)),
			};
			dispatch(call.into(), RuntimeOrigin::signed(owner(n)));
		}
		9 => {
			let call = match rng.below(3) {
				0 => MinersCall::<Test>::deregister {},
				1 => MinersCall::<Test>::withdraw_unbonded {},
				_ => MinersCall::<Test>::bond_extra { amount: rng.pick(0, 500) as u128 },
			};
			dispatch(call.into(), RuntimeOrigin::signed(owner(n)));
		}
		10 => {
			let receipt_id = rng.below(NextReceiptId::<Test>::get() + 1);
			let call = ReceiptsCall::<Test>::claim_receipt { receipt_id };
			dispatch(call.into(), RuntimeOrigin::signed(owner(n)));
		}
		_ => {
			for _ in 0..rng.pick(1, 6) {
				next_block();
			}
		}
	}
}

/// AIT held by miner `n`'s group (its owner and operator accounts: free and every hold).
fn group_total(n: u8) -> Balance {
	Balances::total_balance(&owner(n)) + Balances::total_balance(&operator(n))
}

/// What outside clients paid miner `n`'s owner: price less fee, plus the rewards of those
/// receipts. Legitimate income, taken out before judging the group's jobs among themselves.
fn earned_from_outsiders(n: u8) -> Balance {
	let group = [owner(n), operator(n)];
	ReceiptRecords::<Test>::iter()
		.map(|(_, r)| r)
		.filter(|r| r.miner_owner == owner(n) && !group.contains(&r.client))
		.map(|r| {
			let reward = match r.status {
				ReceiptStatus::Claimed { reward, .. } => reward,
				ReceiptStatus::Unclaimed => 0,
			};
			r.price - r.fee + reward
		})
		.sum()
}

/// Whether the honest miner (or its unbonding stake) was ever slashed.
fn honest_miner_slashed() -> bool {
	System::events().iter().any(|record| match &record.event {
		RuntimeEvent::Miners(MinersEvent::MinerSlashed { operator: o, .. }) => {
			*o == operator(HONEST)
		}
		RuntimeEvent::Miners(MinersEvent::UnbondingSlashed { owner: o, .. }) => *o == owner(HONEST),
		_ => false,
	})
}

#[test]
fn random_call_sequences_keep_every_invariant() {
	let cases: u64 =
		std::env::var("AITBC_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000);
	let mut completed = 0usize;
	for case in 0..cases {
		let seed = 0x9e37_79b9_7f4a_7c15 ^ case.wrapping_mul(0x1000_0000_01b3);
		let mut rng = Rng(seed.max(1));
		ExtBuilder::default().build().execute_with(|| {
			register_with(HONEST, offer(MODELS[0], UnitType::OutputToken, 2, 3), STAKE);
			let issuance = Balances::total_issuance();
			let start: Vec<Balance> = (1..=5).map(group_total).collect();
			for index in 0..40 {
				step(&mut rng);
				let checked = std::panic::catch_unwind(|| {
					check_invariants();
					assert_eq!(
						Balances::total_issuance(),
						issuance + Emitted::<Test>::get(),
						"issuance moved other than by receipt rewards"
					);
					for n in 1..=5u8 {
						assert!(
							group_total(n) <= start[n as usize - 1] + earned_from_outsiders(n),
							"miner {n}'s group gained from jobs among themselves"
						);
					}
					assert!(!honest_miner_slashed(), "the honest miner was slashed");
				});
				if checked.is_err() {
					panic!("invariant broken: case {case} (seed {seed:#x}), step {index}");
				}
			}
			// Let every TTL pass: nothing may stay open past it.
			let last_ttl = JobRecords::<Test>::iter().map(|(_, job)| job.expires_at).max();
			while System::block_number() <= last_ttl.unwrap_or_default() {
				next_block();
			}
			check_invariants();
			assert!(!honest_miner_slashed(), "case {case}: the honest miner was slashed");
			for (id, job) in JobRecords::<Test>::iter() {
				assert!(job.state.is_final(), "case {case}: job {id} still open: {:?}", job.state);
			}
			for (_, miner) in MinerRecords::<Test>::iter() {
				assert_eq!(miner.in_flight, 0, "case {case}: a miner still counts jobs in flight");
			}
			completed += NextReceiptId::<Test>::get() as usize;
		});
	}
	assert!(completed > 0, "the random sequences never completed a job: the test is too weak");
	println!("{cases} sequences, {completed} jobs completed");
}
