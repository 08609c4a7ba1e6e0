//! What the runtime's integration tests share: the `development` genesis.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use aitbc_primitives::{output_hash, prompt_hash, Usage};
use aitbc_runtime::{Runtime, RuntimeGenesisConfig, System};
use sp_keyring::Sr25519Keyring;

/// Merges the JSON `patch` into `base` (objects key by key, anything else replaced).
pub fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(base), serde_json::Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(serde_json::Value::Null), value);
			}
		}
		(base, patch) => *base = patch,
	}
}

/// The `development` chain's genesis state at block 1.
pub fn new_ext() -> sp_io::TestExternalities {
	let preset = aitbc_runtime::genesis_config_presets::get_preset(&"development".into())
		.expect("the development preset");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	merge(&mut config, serde_json::from_slice(&preset).unwrap());
	let mut ext = sp_io::TestExternalities::new_empty();
	ext.execute_with(|| {
		frame_support::genesis_builder_helper::build_state::<RuntimeGenesisConfig>(
			serde_json::to_vec(&config).unwrap(),
		)
		.unwrap();
		System::set_block_number(1);
	});
	ext
}

/// `operator`'s signed result for job `id`: `output` with `usage`, priced as the chain prices
/// it, signed over the receipt payload the chain rebuilds.
pub fn signed_result(
	id: u64,
	operator: Sr25519Keyring,
	output: &[u8],
	usage: Usage,
) -> pallet_aitbc_jobs::JobResultOf<Runtime> {
	type Jobs = pallet_aitbc_jobs::Pallet<Runtime>;
	let job = pallet_aitbc_jobs::JobRecords::<Runtime>::get(id).unwrap();
	let terms = job.terms.clone().unwrap();
	let price = Jobs::price_of(terms.unit_type.units(&usage), terms.unit_price, job.max_price);
	let payload = Jobs::receipt_payload(
		id,
		&job,
		prompt_hash(&job.prompt),
		output_hash(output),
		usage,
		price,
	);
	let signature = operator.sign(&payload.signing_bytes()).0;
	pallet_aitbc_jobs::JobResult {
		job_id: id,
		output: output.to_vec().try_into().unwrap(),
		usage,
		signature,
	}
}
