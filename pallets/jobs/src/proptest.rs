//! A property test: thousands of random call sequences against the mock marketplace, with every
//! pallet's invariants (and the issuance rule) checked after each step.
//!
//! The sequences come from a fixed-seed xorshift generator, so a failure is reproducible; the
//! failing seed and step are printed. `AITBC_PROPTEST_CASES` raises the number of sequences.

use crate::{mock::*, Call as JobsCall, JobResult, Jobs as JobRecords, NextJobId};
use aitbc_primitives::Usage;
use frame_support::{dispatch::GetDispatchInfo, traits::UnfilteredDispatchable};
use pallet_aitbc_miners::{Call as MinersCall, GpuInfo, MinerOffer, Miners as MinerRecords};
use pallet_aitbc_receipts::{Call as ReceiptsCall, Emitted, NextReceiptId};

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

fn step(rng: &mut Rng) {
	let n = rng.pick(1, 5) as u8;
	match rng.below(12) {
		0 | 1 => {
			let call = JobsCall::<Test>::submit_job {
				kind: crate::JobKind::TextInference,
				model: MODELS[rng.below(2) as usize].as_bytes().to_vec().try_into().unwrap(),
				prompt: b"random prompt".to_vec().try_into().unwrap(),
				params: params(rng.pick(1, 50) as u32),
				max_price: rng.pick(1, 200) as u128,
				ttl: if rng.below(3) == 0 { Some(rng.pick(1, 40)) } else { None },
				min_reputation: None,
			};
			dispatch(call.into(), RuntimeOrigin::signed(client(n)));
		}
		2 => {
			let job = random_job(rng);
			let call = JobsCall::<Test>::acknowledge { job_ids: vec![job].try_into().unwrap() };
			dispatch(call.into(), RuntimeOrigin::signed(operator(n)));
		}
		3 | 4 => {
			let job_id = random_job(rng);
			let tokens = rng.pick(0, 60) as u32;
			let usage = Usage { prompt_tokens: 3, output_tokens: tokens, compute_ms: 500 };
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
			let offer = MinerOffer {
				models: vec![MODELS[rng.below(2) as usize].as_bytes().to_vec().try_into().unwrap()]
					.try_into()
					.unwrap(),
				unit_type: aitbc_primitives::UnitType::OutputToken,
				unit_price: rng.pick(1, 5) as u128,
				capacity: rng.pick(1, 3) as u32,
				gpu: GpuInfo { name: b"GPU".to_vec().try_into().unwrap(), vram_mib: 1, count: 1 },
			};
			let call = MinersCall::<Test>::register { operator: operator(n), offer, stake: STAKE };
			dispatch(call.into(), RuntimeOrigin::signed(owner(n)));
		}
		9 => {
			let call = if rng.below(2) == 0 {
				MinersCall::<Test>::deregister {}
			} else {
				MinersCall::<Test>::withdraw_unbonded {}
			};
			dispatch(call.into(), RuntimeOrigin::signed(owner(n)));
		}
		10 => {
			let receipt_id = rng.below(NextReceiptId::<Test>::get() + 1);
			let call = ReceiptsCall::<Test>::claim_receipt { receipt_id };
			dispatch(call.into(), RuntimeOrigin::signed(owner(n)));
		}
		_ => run_to_block(System::block_number() + rng.pick(1, 6)),
	}
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
			let issuance = Balances::total_issuance();
			for index in 0..40 {
				step(&mut rng);
				let checked = std::panic::catch_unwind(|| {
					check_invariants();
					assert_eq!(
						Balances::total_issuance(),
						issuance + Emitted::<Test>::get(),
						"issuance moved other than by receipt rewards"
					);
				});
				if checked.is_err() {
					panic!("invariant broken: case {case} (seed {seed:#x}), step {index}");
				}
			}
			// Let every TTL pass: nothing may stay open past it.
			let last_ttl = JobRecords::<Test>::iter().map(|(_, job)| job.expires_at).max();
			run_to_block(last_ttl.unwrap_or_default().max(System::block_number()) + 1);
			check_invariants();
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
