//! The admin commands: `keys create`, `keys revoke`, `keys list`.

use std::{io::Write, path::Path};

use aitbc_client::{
	keystore::Keystore,
	units::{format_ait, parse_ait},
};
use serde::Serialize;

use crate::{
	error::GatewayError,
	keys::{KeyRecord, KeyStore},
	settings::{KeysAction, KeysArgs},
};

/// A key just created.
#[derive(Serialize, Debug, Clone)]
pub struct CreatedKey {
	/// The API key: shown once, stored nowhere.
	pub api_key: String,
	/// Its name.
	pub name: String,
	/// Its wallet.
	pub wallet: String,
	/// The wallet's address: fund it.
	pub address: String,
	/// Whether the wallet was created now.
	pub wallet_created: bool,
	/// The new wallet's mnemonic (shown once), if it was created now.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub mnemonic: Option<String>,
	/// Requests per minute.
	pub rate_limit_per_minute: u32,
	/// The spend cap in planck, if any.
	#[serde(with = "aitbc_client::json::decimal::option")]
	pub spend_cap: Option<u128>,
}

/// What `keys list` shows of a key.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct KeySummary {
	/// Its name.
	pub name: String,
	/// Its wallet.
	pub wallet: String,
	/// The wallet's address.
	pub address: String,
	/// Requests per minute.
	pub rate_limit_per_minute: u32,
	/// The spend cap in planck, if any.
	#[serde(with = "aitbc_client::json::decimal::option")]
	pub spend_cap: Option<u128>,
	/// Spent so far, in planck.
	#[serde(with = "aitbc_client::json::decimal")]
	pub spent: u128,
	/// Held for open jobs, in planck.
	#[serde(with = "aitbc_client::json::decimal")]
	pub reserved: u128,
	/// Open jobs.
	pub open_jobs: usize,
	/// Revoked.
	pub revoked: bool,
	/// Created at (RFC 3339).
	pub created_at: String,
}

impl From<&KeyRecord> for KeySummary {
	fn from(record: &KeyRecord) -> Self {
		KeySummary {
			name: record.name.clone(),
			wallet: record.wallet.clone(),
			address: record.address.clone(),
			rate_limit_per_minute: record.rate_limit_per_minute,
			spend_cap: record.spend_cap,
			spent: record.spent,
			reserved: record.reserved(),
			open_jobs: record.open_jobs.len(),
			revoked: record.revoked,
			created_at: record.created_at.clone(),
		}
	}
}

/// Creates API key `name` in `data_dir` for `wallet` (default: `name`; created with a new
/// mnemonic, encrypted with `password`, if missing), with a rate limit per minute and an
/// optional spend cap in planck.
pub fn create_key(
	data_dir: &Path,
	password: &str,
	name: &str,
	wallet: Option<&str>,
	rate_limit_per_minute: u32,
	spend_cap: Option<u128>,
) -> Result<CreatedKey, GatewayError> {
	let wallet = wallet.unwrap_or(name).to_string();
	if !aitbc_client::keystore::is_valid_name(name)
		|| !aitbc_client::keystore::is_valid_name(&wallet)
	{
		return Err(GatewayError::Usage(
			"key and wallet names may use only letters, digits, `-` and `_`".into(),
		));
	}
	if rate_limit_per_minute == 0 {
		return Err(GatewayError::Usage("--rate-limit must be at least 1 per minute".into()));
	}
	let store = KeyStore::open(data_dir)?;
	if store.list()?.iter().any(|k| k.name == name) {
		return Err(GatewayError::Usage(format!(
			"a key named `{name}` exists already: revoke it or choose another name"
		)));
	}
	crate::keys::create_private_dir(&data_dir.join("wallets"))?;
	let wallets = Keystore::new(data_dir.join("wallets"));
	let (address, mnemonic) = if wallets.exists(&wallet) {
		// The password must open it: the server signs with it.
		let key = wallets.unlock(&wallet, password)?;
		(key.address(), None)
	} else {
		let (entry, phrase) = wallets.create(&wallet, password)?;
		(entry.address, Some(phrase))
	};
	let api_key = store.create(name, &wallet, &address, rate_limit_per_minute, spend_cap)?;
	Ok(CreatedKey {
		api_key,
		name: name.to_string(),
		wallet,
		address,
		wallet_created: mnemonic.is_some(),
		mnemonic,
		rate_limit_per_minute,
		spend_cap,
	})
}

/// Revokes API key `name` in `data_dir`.
pub fn revoke_key(data_dir: &Path, name: &str) -> Result<(), GatewayError> {
	KeyStore::open(data_dir)?.revoke(name)
}

/// The keys of `data_dir`.
pub fn list_keys(data_dir: &Path) -> Result<Vec<KeySummary>, GatewayError> {
	Ok(KeyStore::open(data_dir)?.list()?.iter().map(KeySummary::from).collect())
}

/// Runs a `keys` command, writing to `out`.
pub fn run(args: &KeysArgs, out: &mut impl Write) -> Result<(), GatewayError> {
	let data_dir = args.data.data_dir();
	let io = |e: std::io::Error| GatewayError::Io(format!("output: {e}"));
	match &args.action {
		KeysAction::Create { name, wallet, rate_limit, spend_cap } => {
			let cap = spend_cap
				.as_deref()
				.map(parse_ait)
				.transpose()
				.map_err(|e| GatewayError::Usage(format!("--spend-cap: {e}")))?;
			let password = args.data.password()?;
			let created =
				create_key(&data_dir, &password, name, wallet.as_deref(), *rate_limit, cap)?;
			if args.json {
				return write_json(out, &created);
			}
			writeln!(out, "API key: {} (shown once: store it now)", created.api_key).map_err(io)?;
			writeln!(out, "Name: {}", created.name).map_err(io)?;
			writeln!(
				out,
				"Wallet: {}{}",
				created.wallet,
				if created.wallet_created { " (created)" } else { "" }
			)
			.map_err(io)?;
			if let Some(phrase) = &created.mnemonic {
				writeln!(out, "Mnemonic: {phrase} (shown once: write it down)").map_err(io)?;
			}
			writeln!(out, "Address: {}", created.address).map_err(io)?;
			writeln!(
				out,
				"Rate limit: {}/min; spend cap: {}",
				created.rate_limit_per_minute,
				created.spend_cap.map_or_else(|| "none".to_string(), format_ait)
			)
			.map_err(io)?;
			writeln!(out, "Fund it: aitbc wallet transfer --to {} --amount AIT", created.address)
				.map_err(io)
		}
		KeysAction::Revoke { name } => {
			revoke_key(&data_dir, name)?;
			if args.json {
				return write_json(out, &serde_json::json!({ "name": name, "revoked": true }));
			}
			writeln!(out, "Key {name} revoked").map_err(io)
		}
		KeysAction::List => {
			let keys = list_keys(&data_dir)?;
			if args.json {
				return write_json(out, &serde_json::json!({ "keys": keys }));
			}
			if keys.is_empty() {
				return writeln!(out, "No keys.").map_err(io);
			}
			writeln!(
				out,
				"{:<16}  {:<50}  {:>8}  {:>16}  {:>16}  STATE",
				"NAME", "ADDRESS", "RATE/MIN", "SPENT", "CAP"
			)
			.map_err(io)?;
			for key in keys {
				writeln!(
					out,
					"{:<16}  {:<50}  {:>8}  {:>16}  {:>16}  {}",
					key.name,
					key.address,
					key.rate_limit_per_minute,
					format_ait(key.spent),
					key.spend_cap.map_or_else(|| "none".to_string(), format_ait),
					if key.revoked { "revoked" } else { "active" }
				)
				.map_err(io)?;
			}
			Ok(())
		}
	}
}

fn write_json(out: &mut impl Write, value: &impl Serialize) -> Result<(), GatewayError> {
	let line =
		serde_json::to_string(value).map_err(|e| GatewayError::Io(format!("output: {e}")))?;
	writeln!(out, "{line}").map_err(|e| GatewayError::Io(format!("output: {e}")))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn create_list_revoke() {
		let dir = tempfile::tempdir().unwrap();
		let created = create_key(dir.path(), "pw", "app", None, 30, Some(5)).unwrap();
		assert!(created.wallet_created && created.mnemonic.is_some());
		assert_eq!(created.wallet, "app");
		// A second key on the same wallet: not created again; the password must open it.
		let second = create_key(dir.path(), "pw", "app2", Some("app"), 60, None).unwrap();
		assert!(!second.wallet_created);
		assert_eq!(second.address, created.address);
		assert!(create_key(dir.path(), "wrong", "app3", Some("app"), 60, None).is_err());
		revoke_key(dir.path(), "app").unwrap();
		let keys = list_keys(dir.path()).unwrap();
		assert_eq!(keys.len(), 2);
		assert!(keys[0].revoked && !keys[1].revoked);
		let text = serde_json::to_string(&keys).unwrap();
		assert!(!text.contains(&created.api_key) && !text.contains("key_hash"));
	}
}
