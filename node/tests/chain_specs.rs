//! The committed chain specs in `chain-specs/` must match what the runtime's genesis presets
//! produce today. `scripts/gen-chain-specs` regenerates them.
//!
//! The runtime code itself is compared by version, not byte for byte: the Wasm blob embeds the
//! source paths of the checkout that built it, so two checkouts build different bytes for the
//! same runtime. A committed blob whose `spec_name`/`spec_version` differ from the runtime's is
//! stale.

use aitbc_node::chain_spec::{development_chain_spec, local_chain_spec, ChainSpec};
use sc_executor_common::runtime_blob::RuntimeBlob;
use serde_json::Value;

/// Hex-encoded storage key of the runtime code, `:code`.
const CODE_KEY: &str = "0x3a636f6465";

const REGENERATE: &str = "the committed chain spec is stale: run scripts/gen-chain-specs";

fn committed(file: &str) -> Value {
	let path = aitbc_e2e::harness::repo_root().join("chain-specs").join(file);
	let text = std::fs::read_to_string(&path)
		.unwrap_or_else(|e| panic!("{}: {e}; {REGENERATE}", path.display()));
	serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn generated(spec: &ChainSpec, raw: bool) -> Value {
	serde_json::from_str(&spec.as_json(raw).expect("chain spec to JSON")).expect("valid JSON")
}

/// Removes the runtime code from a plain or raw chain spec and returns it as bytes.
fn take_code(spec: &mut Value) -> Vec<u8> {
	let code = if let Some(top) = spec.pointer_mut("/genesis/raw/top") {
		top.as_object_mut().and_then(|top| top.remove(CODE_KEY))
	} else {
		spec.pointer_mut("/genesis/runtimeGenesis")
			.and_then(Value::as_object_mut)
			.and_then(|genesis| genesis.remove("code"))
	};
	let code = code.expect("the chain spec carries runtime code");
	sp_core::bytes::from_hex(code.as_str().expect("hex code")).expect("valid hex")
}

fn assert_matches(file: &str, spec: &ChainSpec, raw: bool) -> Vec<u8> {
	let mut committed = committed(file);
	let mut generated = generated(spec, raw);
	let code = take_code(&mut committed);
	take_code(&mut generated);
	assert_eq!(committed, generated, "{file}: {REGENERATE}");
	code
}

fn assert_code_is_current(file: &str, code: &[u8]) {
	let blob = RuntimeBlob::uncompress_if_needed(code).expect("a Wasm runtime");
	let version = sc_executor::read_embedded_version(&blob)
		.expect("readable runtime version")
		.expect("the runtime embeds its version");
	let current = aitbc_runtime::VERSION;
	assert_eq!(
		(&version.spec_name, version.spec_version, version.transaction_version),
		(&current.spec_name, current.spec_version, current.transaction_version),
		"{file}: the committed runtime code is not the current runtime; {REGENERATE}"
	);
}

#[test]
fn dev_chain_spec_matches_the_development_preset() {
	let spec = development_chain_spec().expect("dev chain spec");
	for (file, raw) in [("dev.json", false), ("dev-raw.json", true)] {
		let code = assert_matches(file, &spec, raw);
		assert_code_is_current(file, &code);
	}
}

#[test]
fn local_chain_spec_matches_the_local_testnet_preset() {
	let spec = local_chain_spec().expect("local chain spec");
	for (file, raw) in [("local.json", false), ("local-raw.json", true)] {
		let code = assert_matches(file, &spec, raw);
		assert_code_is_current(file, &code);
	}
}

#[test]
fn every_chain_spec_names_the_token_and_address_format() {
	for file in ["dev.json", "dev-raw.json", "local.json", "local-raw.json"] {
		let properties = &committed(file)["properties"];
		assert_eq!(properties["tokenSymbol"], "AIT", "{file}");
		assert_eq!(properties["tokenDecimals"], 12, "{file}");
		assert_eq!(properties["ss58Format"], aitbc_runtime::SS58_PREFIX, "{file}");
	}
}
