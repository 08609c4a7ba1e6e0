//! Work in flight finishes first when blocks are full: acknowledgements, results and failure
//! reports are operational extrinsics, which the pool ranks above new submissions paying the
//! same fee, and which may use the share of the block kept from normal extrinsics.

#![allow(clippy::unwrap_used)]

use aitbc_runtime::{Runtime, RuntimeCall};
use frame_support::dispatch::{DispatchClass, GetDispatchInfo, Pays};
use pallet_aitbc_jobs::{Call as JobsCall, InferenceParams, JobKind};
use pallet_transaction_payment::ChargeTransactionPayment;

fn submit_job() -> RuntimeCall {
	RuntimeCall::Jobs(JobsCall::submit_job {
		kind: JobKind::TextInference,
		model: b"llama3.2:latest".to_vec().try_into().unwrap(),
		prompt: b"What is machine learning?".to_vec().try_into().unwrap(),
		params: InferenceParams { temperature_milli: 700, max_tokens: 64, seed: None },
		max_price: 1_000_000,
		ttl: None,
		min_reputation: None,
	})
}

fn in_flight() -> Vec<RuntimeCall> {
	vec![
		RuntimeCall::Jobs(JobsCall::acknowledge { job_ids: vec![1].try_into().unwrap() }),
		RuntimeCall::Jobs(JobsCall::submit_result {
			job_id: 1,
			output: b"answer".to_vec().try_into().unwrap(),
			usage: Default::default(),
			signature: [0; 64],
		}),
		RuntimeCall::Jobs(JobsCall::submit_results { results: Default::default() }),
		RuntimeCall::Jobs(JobsCall::report_failure {
			job_id: 1,
			reason: b"backend down".to_vec().try_into().unwrap(),
		}),
	]
}

#[test]
fn work_in_flight_ranks_above_new_submissions_at_the_same_fee() {
	let fee = 10_000_000_000u128;
	let submit = submit_job().get_dispatch_info();
	assert_eq!(submit.class, DispatchClass::Normal);
	let submit_priority = ChargeTransactionPayment::<Runtime>::get_priority(&submit, 200, 0, fee);
	for call in in_flight() {
		let info = call.get_dispatch_info();
		assert_eq!(info.class, DispatchClass::Operational, "{call:?}");
		assert_eq!(info.pays_fee, Pays::Yes, "in-flight work still pays its fee: {call:?}");
		let priority = ChargeTransactionPayment::<Runtime>::get_priority(&info, 200, 0, fee);
		assert!(priority > submit_priority, "{call:?}: {priority} <= {submit_priority}");
	}
}
