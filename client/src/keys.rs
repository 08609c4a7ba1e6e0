//! Signing keys: sr25519 from a secret URI (`//Alice`, a mnemonic with optional `//hard/soft`
//! derivation and `///password`) given directly, through an environment variable or in a file.
//! Secrets are never printed: [`Key`] shows only its address.

use std::path::Path;

use subxt_signer::{sr25519::Keypair, SecretUri};

use crate::{AccountId, Constants, Error};

/// A signing key and its account.
#[derive(Clone)]
pub struct Key {
	pair: Keypair,
}

impl std::fmt::Debug for Key {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(f, "Key({})", self.address())
	}
}

impl Key {
	/// A key from a secret URI. The error never repeats the secret.
	pub fn from_uri(uri: &str) -> Result<Self, Error> {
		let uri: SecretUri = uri
			.trim()
			.parse()
			.map_err(|_| Error::usage("the secret URI is not valid (expected a mnemonic, 0x-seed or //Name, with optional derivation)"))?;
		let pair = Keypair::from_uri(&uri)
			.map_err(|_| Error::usage("the secret URI does not give an sr25519 key"))?;
		Ok(Key { pair })
	}

	/// A key from a file holding a secret URI (the first non-empty line).
	pub fn from_file(path: &Path) -> Result<Self, Error> {
		let text = std::fs::read_to_string(path).map_err(|e| {
			Error::usage(format!("cannot read the key file {}: {e}", path.display()))
		})?;
		let line = text
			.lines()
			.map(str::trim)
			.find(|l| !l.is_empty())
			.ok_or_else(|| Error::usage(format!("the key file {} is empty", path.display())))?;
		Self::from_uri(line)
	}

	/// A key from an sr25519 keypair.
	pub fn from_pair(pair: Keypair) -> Self {
		Key { pair }
	}

	/// The keypair that signs.
	pub fn pair(&self) -> &Keypair {
		&self.pair
	}

	/// The account id (the public key).
	pub fn account(&self) -> AccountId {
		self.pair.public_key().to_account_id()
	}

	/// The 32-byte public key.
	pub fn public(&self) -> [u8; 32] {
		self.pair.public_key().0
	}

	/// The SS58 address with the prefix of the committed metadata ([`Constants::offline`]), for
	/// programs that do not connect; a connected one writes `chain.address(&key.account())`,
	/// which follows the chain.
	pub fn address(&self) -> String {
		Constants::offline().ss58(&self.public())
	}

	/// An sr25519 signature (context `substrate`) over `message`.
	pub fn sign(&self, message: &[u8]) -> [u8; 64] {
		self.pair.sign(message).0
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn dev_uri_gives_alice_and_debug_hides_secret() {
		let key = Key::from_uri("//Alice").unwrap();
		assert_eq!(key.public(), subxt_signer::sr25519::dev::alice().public_key().0);
		assert!(format!("{key:?}").starts_with("Key("));
		assert!(!format!("{key:?}").contains("Alice"));
	}

	#[test]
	fn bad_uri_error_does_not_echo_it() {
		let err = Key::from_uri("not a valid secret uri at all ///").unwrap_err().to_string();
		assert!(!err.contains("not a valid secret"));
	}

	#[test]
	fn ss58_uses_the_aitbc_prefix_and_round_trips() {
		let key = Key::from_uri("//Bob").unwrap();
		let address = key.address();
		assert_eq!(crate::parse_account(&address).unwrap(), key.account());
		assert_ne!(address, key.account().to_string(), "prefix 4242, not 42");
	}
}
