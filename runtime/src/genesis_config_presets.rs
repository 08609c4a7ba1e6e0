//! Genesis presets: the initial state of the chains that `chain-specs/` is generated from.
//!
//! - `development`: one validator (Alice), Alice is sudo, the dev accounts are endowed,
//!   governance runs its development periods (a referendum passes in about a minute).
//! - `local_testnet`: two validators (Alice and Bob), no sudo key, the dev accounts are
//!   endowed, governance runs its production periods.
//!
//! In both, Alice, Bob and Charlie form the technical committee.

use crate::{
	governance::origins::pallet_origins::Timing, opaque::SessionKeys, AccountId, BalancesConfig,
	OriginsConfig, RuntimeGenesisConfig, SessionConfig, SudoConfig, TechnicalCommitteeConfig, UNIT,
};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// The balance each endowed dev account starts with: one million AIT.
pub const ENDOWMENT: crate::Balance = 1_000_000 * UNIT;

/// A genesis state with the given validators (account and session keys), endowed accounts,
/// sudo key (development chains only), technical committee and governance timing.
///
/// The validators are the session's genesis keys; Aura's and GRANDPA's authorities are left
/// empty, the session fills them.
fn testnet_genesis(
	initial_authorities: Vec<(AccountId, AuraId, GrandpaId)>,
	endowed_accounts: Vec<AccountId>,
	sudo: Option<AccountId>,
	committee: Vec<AccountId>,
	timing: Timing,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed_accounts
				.iter()
				.cloned()
				.map(|account| (account, ENDOWMENT))
				// The treasury receives protocol fees and slashes; it must exist first.
				.chain(core::iter::once((crate::configs::treasury_account(), UNIT)))
				.collect::<Vec<_>>(),
		},
		session: SessionConfig {
			keys: initial_authorities
				.iter()
				.map(|(account, aura, grandpa)| {
					(
						account.clone(),
						account.clone(),
						SessionKeys { aura: aura.clone(), grandpa: grandpa.clone() },
					)
				})
				.collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: sudo },
		technical_committee: TechnicalCommitteeConfig { members: committee },
		origins: OriginsConfig { timing },
	})
}

/// A well-known dev validator: its account and its session keys (its sr25519 key for Aura,
/// its ed25519 key for GRANDPA), as `--alice` etc. put them in the node's keystore.
fn authority_keys(aura: Sr25519Keyring, grandpa: Ed25519Keyring) -> (AccountId, AuraId, GrandpaId) {
	(aura.to_account_id(), aura.public().into(), grandpa.public().into())
}

/// The technical committee of the dev presets.
fn dev_committee() -> Vec<AccountId> {
	[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
		.iter()
		.map(|k| k.to_account_id())
		.collect()
}

/// The dev accounts endowed in every preset.
fn endowed_dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::iter().map(|k| k.to_account_id()).collect()
}

/// `development`: Alice alone validates.
pub fn development_config_genesis() -> Value {
	testnet_genesis(
		vec![authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		endowed_dev_accounts(),
		Some(Sr25519Keyring::Alice.to_account_id()),
		dev_committee(),
		Timing::Development,
	)
}

/// `local_testnet`: Alice and Bob validate.
pub fn local_config_genesis() -> Value {
	testnet_genesis(
		vec![
			authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			authority_keys(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		],
		endowed_dev_accounts(),
		None,
		dev_committee(),
		Timing::Production,
	)
}

/// The JSON patch of the preset `id`, if there is one.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	Some(serde_json::to_string(&patch).map(|s| s.into_bytes()).unwrap_or_default())
}

/// The names of the presets this runtime has.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
