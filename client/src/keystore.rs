//! Wallets kept as polkadot-js JSON keystore files (`<dir>/<name>.json`): the secret key in
//! PKCS#8 form, encrypted with scrypt (N = 2^15, p = 1, r = 8) and xsalsa20-poly1305 — the
//! format polkadot-js exports and imports ("encoding" version 3). The CLI's wallets and the
//! gateway's custodial accounts are both kept here.
//!
//! Errors: a bad name, mnemonic, password or file is [`Error::Usage`], a missing wallet
//! [`Error::NotFound`], a failed write or missing randomness [`Error::Rpc`] (the "anything
//! else" class).

use std::path::{Path, PathBuf};

use base64::Engine;
use crypto_secretbox::{
	aead::{Aead, KeyInit},
	XSalsa20Poly1305,
};
use schnorrkel::{ExpansionMode, MiniSecretKey};
use serde_json::json;
use subxt_signer::{bip39::Mnemonic, sr25519::Keypair};

use crate::{keys::Key, Constants, Error};

const PKCS8_HEADER: [u8; 16] = [48, 83, 2, 1, 1, 48, 5, 6, 3, 43, 101, 112, 4, 34, 4, 32];
const PKCS8_DIVIDER: [u8; 5] = [161, 35, 3, 33, 0];
const SCRYPT_LOG_N: u8 = 15;
const SCRYPT_P: u32 = 1;
const SCRYPT_R: u32 = 8;

/// A directory of wallets.
#[derive(Clone, Debug)]
pub struct Keystore {
	dir: PathBuf,
}

/// A wallet's name and address.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WalletEntry {
	/// File stem.
	pub name: String,
	/// SS58 address (AITBC prefix).
	pub address: String,
}

/// Anything that is neither the caller's input nor a missing wallet.
fn other(message: impl Into<String>) -> Error {
	Error::Rpc(message.into())
}

impl Keystore {
	/// The keystore in `dir`.
	pub fn new(dir: PathBuf) -> Self {
		Keystore { dir }
	}

	/// The directory.
	pub fn dir(&self) -> &Path {
		&self.dir
	}

	fn path(&self, name: &str) -> Result<PathBuf, Error> {
		if !is_valid_name(name) {
			return Err(Error::usage(format!(
				"wallet name `{name}` may use only letters, digits, `-` and `_`"
			)));
		}
		Ok(self.dir.join(format!("{name}.json")))
	}

	/// Whether a wallet named `name` exists.
	pub fn exists(&self, name: &str) -> bool {
		self.path(name).is_ok_and(|path| path.exists())
	}

	/// Creates a wallet from a new 12-word mnemonic; returns it and the phrase (shown once).
	pub fn create(&self, name: &str, password: &str) -> Result<(WalletEntry, String), Error> {
		let mut entropy = [0u8; 16];
		getrandom::getrandom(&mut entropy).map_err(|e| other(format!("no randomness: {e}")))?;
		let mnemonic =
			Mnemonic::from_entropy(&entropy).map_err(|e| other(format!("mnemonic: {e}")))?;
		let entry = self.import_mnemonic(name, &mnemonic.to_string(), password)?;
		Ok((entry, mnemonic.to_string()))
	}

	/// Imports a mnemonic (no derivation path) under `name`.
	pub fn import_mnemonic(
		&self,
		name: &str,
		phrase: &str,
		password: &str,
	) -> Result<WalletEntry, Error> {
		let mnemonic: Mnemonic = phrase
			.trim()
			.parse()
			.map_err(|_| Error::usage("the mnemonic is not a valid BIP-39 phrase"))?;
		let mini = mini_secret(&mnemonic)?;
		let pair = mini.expand_to_keypair(ExpansionMode::Ed25519);
		let json =
			encrypt(&pair.secret.to_ed25519_bytes(), &pair.public.to_bytes(), password, name)?;
		self.write(name, &json)
	}

	/// Imports a polkadot-js JSON export; the password must open it.
	pub fn import_json(
		&self,
		name: &str,
		json: &str,
		password: &str,
	) -> Result<WalletEntry, Error> {
		subxt_signer::polkadot_js_compat::decrypt_json(json, password)
			.map_err(|e| Error::usage(format!("cannot open the JSON keystore: {e}")))?;
		self.write(name, json)
	}

	fn write(&self, name: &str, json: &str) -> Result<WalletEntry, Error> {
		let path = self.path(name)?;
		if path.exists() {
			return Err(Error::usage(format!(
				"a wallet named `{name}` exists already ({})",
				path.display()
			)));
		}
		std::fs::create_dir_all(&self.dir)
			.map_err(|e| other(format!("cannot create {}: {e}", self.dir.display())))?;
		write_private(&path, json)?;
		let address = address_of(json)?;
		Ok(WalletEntry { name: name.to_string(), address })
	}

	/// Every wallet, by name.
	pub fn list(&self) -> Result<Vec<WalletEntry>, Error> {
		let Ok(entries) = std::fs::read_dir(&self.dir) else { return Ok(Vec::new()) };
		let mut wallets = Vec::new();
		for entry in entries.flatten() {
			let path = entry.path();
			if path.extension().and_then(|e| e.to_str()) != Some("json") {
				continue;
			}
			let Some(name) = path.file_stem().and_then(|s| s.to_str()) else { continue };
			let Ok(text) = std::fs::read_to_string(&path) else { continue };
			if let Ok(address) = address_of(&text) {
				wallets.push(WalletEntry { name: name.to_string(), address });
			}
		}
		wallets.sort_by(|a, b| a.name.cmp(&b.name));
		Ok(wallets)
	}

	/// The stored JSON of `name` (what polkadot-js imports).
	pub fn export(&self, name: &str) -> Result<String, Error> {
		let path = self.path(name)?;
		std::fs::read_to_string(&path).map_err(|_| {
			Error::NotFound(format!("no wallet named `{name}` in {}", self.dir.display()))
		})
	}

	/// The address of `name`, without the password.
	pub fn address(&self, name: &str) -> Result<String, Error> {
		address_of(&self.export(name)?)
	}

	/// Opens `name` with `password`.
	pub fn unlock(&self, name: &str, password: &str) -> Result<Key, Error> {
		let json = self.export(name)?;
		let pair: Keypair = subxt_signer::polkadot_js_compat::decrypt_json(&json, password)
			.map_err(|_| {
				Error::usage(format!("cannot open wallet `{name}`: wrong password or damaged file"))
			})?;
		Ok(Key::from_pair(pair))
	}
}

/// Whether `name` is a wallet name: letters, digits, `-` and `_`, not empty.
pub fn is_valid_name(name: &str) -> bool {
	!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The mini secret of a mnemonic as Substrate derives it: PBKDF2-HMAC-SHA512 over the
/// entropy, salt "mnemonic", 2048 rounds, first 32 bytes.
fn mini_secret(mnemonic: &Mnemonic) -> Result<MiniSecretKey, Error> {
	let entropy = mnemonic.to_entropy();
	let mut seed = [0u8; 64];
	pbkdf2::pbkdf2::<hmac::Hmac<sha2::Sha512>>(&entropy, b"mnemonic", 2048, &mut seed)
		.map_err(|_| other("pbkdf2 failed"))?;
	MiniSecretKey::from_bytes(seed.get(..32).unwrap_or_default()).map_err(|_| other("bad seed"))
}

/// The polkadot-js JSON of a key.
fn encrypt(
	secret: &[u8; 64],
	public: &[u8; 32],
	password: &str,
	name: &str,
) -> Result<String, Error> {
	let mut plain = Vec::with_capacity(117);
	plain.extend_from_slice(&PKCS8_HEADER);
	plain.extend_from_slice(secret);
	plain.extend_from_slice(&PKCS8_DIVIDER);
	plain.extend_from_slice(public);
	let mut salt = [0u8; 32];
	let mut nonce = [0u8; 24];
	getrandom::getrandom(&mut salt).map_err(|e| other(format!("no randomness: {e}")))?;
	getrandom::getrandom(&mut nonce).map_err(|e| other(format!("no randomness: {e}")))?;
	let params = scrypt::Params::new(SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, 32)
		.map_err(|_| other("scrypt parameters"))?;
	let mut key = crypto_secretbox::Key::default();
	scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key)
		.map_err(|_| other("scrypt failed"))?;
	let cipher = XSalsa20Poly1305::new(&key);
	let sealed = cipher
		.encrypt(crypto_secretbox::Nonce::from_slice(&nonce), plain.as_slice())
		.map_err(|_| other("encryption failed"))?;
	let mut encoded = Vec::with_capacity(68 + sealed.len());
	encoded.extend_from_slice(&salt);
	encoded.extend_from_slice(&(1u32 << SCRYPT_LOG_N).to_le_bytes());
	encoded.extend_from_slice(&SCRYPT_P.to_le_bytes());
	encoded.extend_from_slice(&SCRYPT_R.to_le_bytes());
	encoded.extend_from_slice(&nonce);
	encoded.extend_from_slice(&sealed);
	let json = json!({
		"encoded": base64::engine::general_purpose::STANDARD.encode(encoded),
		"encoding": {
			"content": ["pkcs8", "sr25519"],
			"type": ["scrypt", "xsalsa20-poly1305"],
			"version": "3",
		},
		"address": Constants::offline().ss58(public),
		"meta": { "name": name, "genesisHash": "", "whenCreated": now_ms() },
	});
	serde_json::to_string_pretty(&json).map_err(|e| other(e.to_string()))
}

fn now_ms() -> u64 {
	std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
		.unwrap_or(0)
}

fn address_of(json: &str) -> Result<String, Error> {
	let value: serde_json::Value =
		serde_json::from_str(json).map_err(|_| Error::usage("the keystore file is not JSON"))?;
	let address = value["address"]
		.as_str()
		.ok_or_else(|| Error::usage("the keystore file has no address"))?;
	let account = crate::parse_account(address)?;
	Ok(Constants::offline().address(&account))
}

/// Writes a new file readable by its owner only (never over an existing one).
fn write_private(path: &Path, text: &str) -> Result<(), Error> {
	#[cfg(unix)]
	{
		use std::{io::Write, os::unix::fs::OpenOptionsExt};
		let mut file = std::fs::OpenOptions::new()
			.write(true)
			.create_new(true)
			.mode(0o600)
			.open(path)
			.map_err(|e| other(format!("cannot write {}: {e}", path.display())))?;
		file.write_all(text.as_bytes())
			.map_err(|e| other(format!("cannot write {}: {e}", path.display())))
	}
	#[cfg(not(unix))]
	{
		std::fs::write(path, text)
			.map_err(|e| other(format!("cannot write {}: {e}", path.display())))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn created_wallet_opens_with_its_password_only_and_matches_the_mnemonic() {
		let dir = tempfile::tempdir().unwrap();
		let store = Keystore::new(dir.path().to_path_buf());
		let (entry, phrase) = store.create("main", "correct horse").unwrap();
		let key = store.unlock("main", "correct horse").unwrap();
		assert_eq!(Constants::offline().address(&key.account()), entry.address);
		// The same phrase gives the same key through subxt-signer's own derivation.
		let from_phrase =
			Keypair::from_phrase(&phrase.parse().unwrap(), None).unwrap().public_key().0;
		assert_eq!(key.public(), from_phrase);
		assert!(store.unlock("main", "wrong").is_err());
		assert_eq!(store.list().unwrap(), vec![entry]);
		assert!(store.exists("main") && !store.exists("other"));
		assert!(store.create("main", "x").is_err(), "no overwrite");
		#[cfg(unix)]
		{
			use std::os::unix::fs::PermissionsExt;
			let mode =
				std::fs::metadata(dir.path().join("main.json")).unwrap().permissions().mode();
			assert_eq!(mode & 0o777, 0o600);
		}
	}

	#[test]
	fn exported_json_imports_elsewhere_and_polkadot_js_export_imports() {
		let dir = tempfile::tempdir().unwrap();
		let store = Keystore::new(dir.path().to_path_buf());
		store
			.import_mnemonic(
				"dev",
				"bottom drive obey lake curtain smoke basket hold race lonely fit walk",
				"pw",
			)
			.unwrap();
		let json = store.export("dev").unwrap();
		let other = Keystore::new(dir.path().join("other"));
		other.import_json("copy", &json, "pw").unwrap();
		let copy = other.unlock("copy", "pw").unwrap().account();
		assert_eq!(Constants::offline().address(&copy), store.address("dev").unwrap());
		// The dev phrase without derivation is the well-known "dev seed" account.
		let expected =
			Keypair::from_phrase(&subxt_signer::DEV_PHRASE.parse().unwrap(), None).unwrap();
		assert_eq!(other.unlock("copy", "pw").unwrap().public(), expected.public_key().0);
		assert!(other.import_json("bad", "{}", "pw").is_err());
	}

	#[test]
	fn names_are_checked_and_a_missing_wallet_is_not_found() {
		let dir = tempfile::tempdir().unwrap();
		let store = Keystore::new(dir.path().to_path_buf());
		assert!(matches!(store.create("../x", "pw"), Err(Error::Usage(_))));
		assert!(matches!(store.unlock("missing", "pw"), Err(Error::NotFound(_))));
	}
}
