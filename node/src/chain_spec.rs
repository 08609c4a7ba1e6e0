//! Chain specifications built from the runtime's genesis presets.

use aitbc_runtime::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL, WASM_BINARY};
use sc_service::{ChainType, Properties};

/// The chain spec type of AITBC: no extensions.
pub type ChainSpec = sc_service::GenericChainSpec;

/// Properties wallets read from `system_properties`: token symbol, decimals and SS58 prefix.
pub fn chain_properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), SS58_PREFIX.into());
	properties
}

fn wasm_binary() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"The runtime's Wasm blob is missing: the node was built with SKIP_WASM_BUILD set. \
		 Rebuild it without that variable."
			.to_string()
	})
}

/// `--dev`: one validator (Alice), from the runtime preset `development`.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("AITBC Development")
		.with_id("aitbc_dev")
		.with_protocol_id("aitbc")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
		.with_properties(chain_properties())
		.build())
}

/// `--chain local`: two validators (Alice and Bob), from the runtime preset `local_testnet`.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("AITBC Local Testnet")
		.with_id("aitbc_local")
		.with_protocol_id("aitbc")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(chain_properties())
		.build())
}
