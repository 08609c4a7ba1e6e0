//! Wallets kept as polkadot-js JSON keystore files (`<dir>/<name>.json`): the CLI's view of
//! [`aitbc_client::keystore`], the one definition of the format, with its errors as
//! [`CliError`]s (a bad name or password is a usage error, a missing wallet not found).

use std::path::PathBuf;

use aitbc_client::keys::Key;
pub use aitbc_client::keystore::WalletEntry;

use crate::CliError;

/// A directory of wallets.
pub struct Keystore {
	inner: aitbc_client::keystore::Keystore,
}

impl Keystore {
	/// The keystore in `dir`.
	pub fn new(dir: PathBuf) -> Self {
		Keystore { inner: aitbc_client::keystore::Keystore::new(dir) }
	}

	/// Creates a wallet from a new 12-word mnemonic; returns it and the phrase (shown once).
	pub fn create(&self, name: &str, password: &str) -> Result<(WalletEntry, String), CliError> {
		Ok(self.inner.create(name, password)?)
	}

	/// Imports a mnemonic (no derivation path) under `name`.
	pub fn import_mnemonic(
		&self,
		name: &str,
		phrase: &str,
		password: &str,
	) -> Result<WalletEntry, CliError> {
		Ok(self.inner.import_mnemonic(name, phrase, password)?)
	}

	/// Imports a polkadot-js JSON export; the password must open it.
	pub fn import_json(
		&self,
		name: &str,
		json: &str,
		password: &str,
	) -> Result<WalletEntry, CliError> {
		Ok(self.inner.import_json(name, json, password)?)
	}

	/// Every wallet, by name.
	pub fn list(&self) -> Result<Vec<WalletEntry>, CliError> {
		Ok(self.inner.list()?)
	}

	/// The stored JSON of `name` (what polkadot-js imports).
	pub fn export(&self, name: &str) -> Result<String, CliError> {
		Ok(self.inner.export(name)?)
	}

	/// The address of `name`, without the password.
	pub fn address(&self, name: &str) -> Result<String, CliError> {
		Ok(self.inner.address(name)?)
	}

	/// Opens `name` with `password`.
	pub fn unlock(&self, name: &str, password: &str) -> Result<Key, CliError> {
		Ok(self.inner.unlock(name, password)?)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::error::ErrorClass;

	#[test]
	fn wallets_round_trip_through_the_shared_keystore() {
		let dir = tempfile::tempdir().unwrap();
		let store = Keystore::new(dir.path().to_path_buf());
		let (entry, _phrase) = store.create("main", "correct horse").unwrap();
		let key = store.unlock("main", "correct horse").unwrap();
		assert_eq!(aitbc_client::Constants::offline().address(&key.account()), entry.address);
		assert_eq!(store.list().unwrap(), vec![entry.clone()]);
		assert_eq!(store.address("main").unwrap(), entry.address);
		let other = Keystore::new(dir.path().join("other"));
		other.import_json("copy", &store.export("main").unwrap(), "correct horse").unwrap();
		assert_eq!(other.address("copy").unwrap(), entry.address);
	}

	#[test]
	fn errors_keep_their_classes() {
		let dir = tempfile::tempdir().unwrap();
		let store = Keystore::new(dir.path().to_path_buf());
		assert_eq!(store.create("../x", "pw").unwrap_err().class, ErrorClass::Usage);
		assert_eq!(store.unlock("missing", "pw").unwrap_err().class, ErrorClass::NotFound);
		store.create("main", "pw").unwrap();
		assert_eq!(store.unlock("main", "wrong").unwrap_err().class, ErrorClass::Usage);
		assert_eq!(store.create("main", "pw").unwrap_err().class, ErrorClass::Usage);
	}
}
