//! API keys: `keys.json` in the data directory, each key stored as its SHA-256 hash only,
//! mapped to a custodial wallet (an on-chain account), with a rate limit and an optional spend
//! cap; the per-key token bucket ([`RateLimiter`]) and the spend-cap arithmetic
//! ([`check_spend`]).
//!
//! The running server and the admin commands share the file: every change takes an exclusive
//! advisory lock on `keys.json.lock` beside it (so two processes cannot lose each other's
//! changes), re-reads the file when it changed on disk (modification time and size), applies
//! itself, and writes it back atomically (a temporary file renamed over it, mode 0600); lookups
//! re-read it when it changed, so a revoke takes effect on the next request.

use std::{
	collections::{BTreeMap, HashMap},
	path::{Path, PathBuf},
	sync::Mutex,
	time::{Duration, Instant, SystemTime},
};

use aitbc_client::{json::decimal, units::format_ait};
use aitbc_primitives::JobId;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, GatewayError};

/// The prefix of every API key.
pub const KEY_PREFIX: &str = "aitbc_";

/// One API key's record (never the key itself).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct KeyRecord {
	/// The key's name (unique).
	pub name: String,
	/// `0x`-less hex SHA-256 of the key.
	pub key_hash: String,
	/// The custodial wallet (a keystore name in `wallets/`): the account that signs and pays.
	pub wallet: String,
	/// The wallet's SS58 address.
	pub address: String,
	/// Requests per minute.
	pub rate_limit_per_minute: u32,
	/// The most this key may spend in total, in planck; none: no cap.
	#[serde(with = "decimal::option")]
	pub spend_cap: Option<u128>,
	/// What its jobs were charged so far, in planck (receipt prices).
	#[serde(with = "decimal")]
	pub spent: u128,
	/// Revoked keys are refused (401).
	pub revoked: bool,
	/// When it was created (RFC 3339 UTC).
	pub created_at: String,
	/// Jobs submitted with this key that have not ended yet, with their max price (reserved
	/// against the spend cap until the job ends).
	#[serde(default)]
	pub open_jobs: BTreeMap<JobId, OpenJob>,
}

/// A job not ended yet.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct OpenJob {
	/// Its max price, in planck.
	#[serde(with = "decimal")]
	pub max_price: u128,
}

impl KeyRecord {
	/// The max prices of the key's open jobs.
	pub fn reserved(&self) -> u128 {
		self.open_jobs.values().fold(0u128, |sum, job| sum.saturating_add(job.max_price))
	}
}

/// The file's contents.
#[derive(Serialize, Deserialize, Default, Debug)]
struct KeysFile {
	keys: Vec<KeyRecord>,
}

/// What identifies a version of the file on disk.
type Stamp = Option<(SystemTime, u64)>;

/// The API keys of a data directory.
pub struct KeyStore {
	path: PathBuf,
	state: Mutex<Loaded>,
}

struct Loaded {
	file: KeysFile,
	stamp: Stamp,
	/// Max prices of submissions under way (not yet jobs), per key name; also those of jobs
	/// submitted whose open job could not be written ([`Loaded::unrecorded`]).
	pending: HashMap<String, u128>,
	/// Jobs submitted whose open job could not be written to the file: their max price stays
	/// held in `pending` until they are settled.
	unrecorded: HashMap<JobId, u128>,
}

/// The SHA-256 of an API key, hex.
pub fn hash_key(key: &str) -> String {
	hex::encode(Sha256::digest(key.trim().as_bytes()))
}

/// A new API key: [`KEY_PREFIX`] and 32 random bytes in hex.
pub fn new_key() -> Result<String, GatewayError> {
	let mut bytes = [0u8; 32];
	getrandom::getrandom(&mut bytes)
		.map_err(|e| GatewayError::Io(format!("no randomness for the API key: {e}")))?;
	Ok(format!("{KEY_PREFIX}{}", hex::encode(bytes)))
}

fn stamp(path: &Path) -> Stamp {
	let meta = std::fs::metadata(path).ok()?;
	Some((meta.modified().ok()?, meta.len()))
}

fn read_file(path: &Path) -> Result<KeysFile, GatewayError> {
	match std::fs::read_to_string(path) {
		Ok(text) => serde_json::from_str(&text)
			.map_err(|e| GatewayError::Io(format!("{} is not a keys file: {e}", path.display()))),
		Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(KeysFile::default()),
		Err(e) => Err(GatewayError::Io(format!("cannot read {}: {e}", path.display()))),
	}
}

/// Writes `text` to `path` atomically (a temporary file beside it, renamed over it), readable
/// by its owner only.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), GatewayError> {
	let io = |e: std::io::Error| GatewayError::Io(format!("cannot write {}: {e}", path.display()));
	let tmp = path.with_extension(format!("tmp{}", std::process::id()));
	{
		use std::io::Write;
		let mut options = std::fs::OpenOptions::new();
		options.write(true).create(true).truncate(true);
		#[cfg(unix)]
		{
			use std::os::unix::fs::OpenOptionsExt;
			options.mode(0o600);
		}
		let mut file = options.open(&tmp).map_err(io)?;
		file.write_all(text.as_bytes()).map_err(io)?;
		file.sync_all().map_err(io)?;
	}
	std::fs::rename(&tmp, path).map_err(io)
}

impl KeyStore {
	/// The keys of `data_dir` (`keys.json`; none yet if it does not exist). Creates the
	/// directory (mode 0700).
	pub fn open(data_dir: &Path) -> Result<Self, GatewayError> {
		create_private_dir(data_dir)?;
		let path = data_dir.join("keys.json");
		let stamp = stamp(&path);
		let file = read_file(&path)?;
		Ok(KeyStore {
			path,
			state: Mutex::new(Loaded {
				file,
				stamp,
				pending: HashMap::new(),
				unrecorded: HashMap::new(),
			}),
		})
	}

	fn lock(&self) -> std::sync::MutexGuard<'_, Loaded> {
		// A panic while holding the lock cannot leave the records half-changed: every change
		// is made on the loaded copy and written whole.
		self.state.lock().unwrap_or_else(|e| e.into_inner())
	}

	/// Re-reads the file when it changed on disk.
	fn refresh(&self, loaded: &mut Loaded) -> Result<(), GatewayError> {
		let now = stamp(&self.path);
		if now != loaded.stamp {
			loaded.file = read_file(&self.path)?;
			loaded.stamp = now;
		}
		Ok(())
	}

	/// Takes the exclusive advisory lock on `keys.json.lock` (waiting for another process's
	/// change to finish); released when the returned file is dropped.
	fn lock_file(&self) -> Result<std::fs::File, GatewayError> {
		let path = self.path.with_extension("json.lock");
		let io =
			|e: std::io::Error| GatewayError::Io(format!("cannot lock {}: {e}", path.display()));
		let mut options = std::fs::OpenOptions::new();
		options.read(true).write(true).create(true).truncate(false);
		#[cfg(unix)]
		{
			use std::os::unix::fs::OpenOptionsExt;
			options.mode(0o600);
		}
		let file = options.open(&path).map_err(io)?;
		file.lock().map_err(io)?;
		Ok(file)
	}

	/// Applies `change` to the newest records and writes them, under the file lock. When
	/// anything fails the loaded records are left as they were before (as on disk).
	fn persist<R>(
		&self,
		loaded: &mut Loaded,
		change: impl FnOnce(&mut Vec<KeyRecord>) -> Result<R, GatewayError>,
	) -> Result<R, GatewayError> {
		let _lock = self.lock_file()?;
		// Under the lock, always the file as it is now: another process's change may have kept
		// the size and (with a coarse clock) the modification time.
		loaded.file = read_file(&self.path)?;
		loaded.stamp = stamp(&self.path);
		let before = loaded.file.keys.clone();
		let written = change(&mut loaded.file.keys).and_then(|result| {
			let text = serde_json::to_string_pretty(&loaded.file)
				.map_err(|e| GatewayError::Io(format!("cannot encode the keys: {e}")))?;
			write_atomic(&self.path, &text)?;
			Ok(result)
		});
		match written {
			Ok(result) => {
				loaded.stamp = stamp(&self.path);
				Ok(result)
			}
			Err(e) => {
				loaded.file.keys = before;
				Err(e)
			}
		}
	}

	/// Applies `change` to the newest records and writes them.
	fn update<R>(
		&self,
		change: impl FnOnce(&mut Vec<KeyRecord>) -> Result<R, GatewayError>,
	) -> Result<R, GatewayError> {
		let mut loaded = self.lock();
		self.persist(&mut loaded, change)
	}

	/// Adds a key named `name` for `wallet` (at `address`); returns the API key, which is not
	/// stored (only its hash is).
	pub fn create(
		&self,
		name: &str,
		wallet: &str,
		address: &str,
		rate_limit_per_minute: u32,
		spend_cap: Option<u128>,
	) -> Result<String, GatewayError> {
		if !aitbc_client::keystore::is_valid_name(name) {
			return Err(GatewayError::Usage(format!(
				"key name `{name}` may use only letters, digits, `-` and `_`"
			)));
		}
		if rate_limit_per_minute == 0 {
			return Err(GatewayError::Usage("--rate-limit must be at least 1 per minute".into()));
		}
		let key = new_key()?;
		let record = KeyRecord {
			name: name.to_string(),
			key_hash: hash_key(&key),
			wallet: wallet.to_string(),
			address: address.to_string(),
			rate_limit_per_minute,
			spend_cap,
			spent: 0,
			revoked: false,
			created_at: crate::time::rfc3339(SystemTime::now()),
			open_jobs: BTreeMap::new(),
		};
		self.update(|keys| {
			if keys.iter().any(|k| k.name == name) {
				return Err(GatewayError::Usage(format!(
					"a key named `{name}` exists already: revoke it or choose another name"
				)));
			}
			keys.push(record);
			Ok(())
		})?;
		Ok(key)
	}

	/// Revokes the key named `name` (it stays listed, refused from now on).
	pub fn revoke(&self, name: &str) -> Result<(), GatewayError> {
		self.update(|keys| {
			let record = keys
				.iter_mut()
				.find(|k| k.name == name)
				.ok_or_else(|| GatewayError::Usage(format!("no key named `{name}`")))?;
			record.revoked = true;
			Ok(())
		})
	}

	/// Every key, as stored (hashes, never keys).
	pub fn list(&self) -> Result<Vec<KeyRecord>, GatewayError> {
		let mut loaded = self.lock();
		self.refresh(&mut loaded)?;
		Ok(loaded.file.keys.clone())
	}

	/// The record of the API key `key`, if it is known and not revoked (the file re-read when
	/// it changed).
	pub fn authenticate(&self, key: &str) -> Result<KeyRecord, ApiError> {
		let hash = hash_key(key);
		let mut loaded = self.lock();
		if let Err(e) = self.refresh(&mut loaded) {
			tracing::warn!(error = %e, "cannot re-read the keys file; using the last one read");
		}
		loaded
			.file
			.keys
			.iter()
			.find(|k| k.key_hash == hash && !k.revoked)
			.cloned()
			.ok_or_else(ApiError::invalid_api_key)
	}

	/// Holds `max_price` against key `name`'s spend cap for a submission under way: refused
	/// with 402 `spend_cap_exceeded` when spent + reserved + pending + `max_price` exceeds the
	/// cap. Release it with [`KeyStore::release`] or turn it into an open job with
	/// [`KeyStore::open_job`].
	pub fn reserve(&self, name: &str, max_price: u128) -> Result<(), ApiError> {
		let mut loaded = self.lock();
		if let Err(e) = self.refresh(&mut loaded) {
			tracing::warn!(error = %e, "cannot re-read the keys file; using the last one read");
		}
		let record = loaded
			.file
			.keys
			.iter()
			.find(|k| k.name == name && !k.revoked)
			.ok_or_else(ApiError::invalid_api_key)?;
		let pending = loaded.pending.get(name).copied().unwrap_or_default();
		let reserved = record.reserved().saturating_add(pending);
		check_spend(record.spend_cap, record.spent, reserved, max_price)?;
		let entry = loaded.pending.entry(name.to_string()).or_default();
		*entry = entry.saturating_add(max_price);
		Ok(())
	}

	/// Releases a reservation of [`KeyStore::reserve`] (the submission did not happen).
	pub fn release(&self, name: &str, max_price: u128) {
		let mut loaded = self.lock();
		if let Some(pending) = loaded.pending.get_mut(name) {
			*pending = pending.saturating_sub(max_price);
		}
	}

	/// Turns a reservation into the open job `job_id` (persisted, so a restart still counts it
	/// and follows it), in one critical section: a concurrent [`KeyStore::reserve`] sees the
	/// amount either pending or open, never neither. When the file cannot be written the
	/// reservation stays held (and is charged when the job is settled): a charge is never lost.
	pub fn open_job(&self, name: &str, job_id: JobId, max_price: u128) -> Result<(), GatewayError> {
		let mut loaded = self.lock();
		let opened = self.persist(&mut loaded, |keys| {
			if let Some(record) = keys.iter_mut().find(|k| k.name == name) {
				record.open_jobs.insert(job_id, OpenJob { max_price });
			}
			Ok(())
		});
		match &opened {
			Ok(()) => {
				if let Some(pending) = loaded.pending.get_mut(name) {
					*pending = pending.saturating_sub(max_price);
				}
			}
			Err(_) => {
				loaded.unrecorded.insert(job_id, max_price);
			}
		}
		opened
	}

	/// Settles the ended job `job_id` of key `name`: it is no longer open and `price` (the
	/// receipt's price; 0 for a job that ended without a result) is added to what was spent.
	/// Settling a job twice changes nothing the second time.
	pub fn settle(&self, name: &str, job_id: JobId, price: u128) -> Result<(), GatewayError> {
		self.settle_with(name, job_id, Some(price))
	}

	/// Settles the job `job_id` of key `name` at its max price: for a job whose end cannot be
	/// read any more (pruned from the chain, no receipt), charged as much as it could have cost.
	pub fn settle_at_max_price(&self, name: &str, job_id: JobId) -> Result<(), GatewayError> {
		self.settle_with(name, job_id, None)
	}

	/// Settles at `price`, or at the job's max price when none.
	fn settle_with(
		&self,
		name: &str,
		job_id: JobId,
		price: Option<u128>,
	) -> Result<(), GatewayError> {
		let mut loaded = self.lock();
		let unrecorded = loaded.unrecorded.get(&job_id).copied();
		self.persist(&mut loaded, |keys| {
			if let Some(record) = keys.iter_mut().find(|k| k.name == name) {
				let open = record.open_jobs.remove(&job_id).map(|job| job.max_price).or(unrecorded);
				if let Some(max_price) = open {
					record.spent = record.spent.saturating_add(price.unwrap_or(max_price));
				}
			}
			Ok(())
		})?;
		if let Some(max_price) = loaded.unrecorded.remove(&job_id) {
			if let Some(pending) = loaded.pending.get_mut(name) {
				*pending = pending.saturating_sub(max_price);
			}
		}
		Ok(())
	}
}

/// Creates `dir` (and its parents) readable by its owner only.
pub fn create_private_dir(dir: &Path) -> Result<(), GatewayError> {
	let mut builder = std::fs::DirBuilder::new();
	builder.recursive(true);
	#[cfg(unix)]
	{
		use std::os::unix::fs::DirBuilderExt;
		builder.mode(0o700);
	}
	builder
		.create(dir)
		.map_err(|e| GatewayError::Io(format!("cannot create {}: {e}", dir.display())))
}

/// Whether a key with `cap` that `spent` and has `reserved` held for open jobs may submit a
/// job of `max_price`: refused when spent + reserved + max_price exceeds the cap.
pub fn check_spend(
	cap: Option<u128>,
	spent: u128,
	reserved: u128,
	max_price: u128,
) -> Result<(), ApiError> {
	let Some(cap) = cap else { return Ok(()) };
	let committed = spent.saturating_add(reserved);
	if committed.saturating_add(max_price) <= cap {
		return Ok(());
	}
	Err(ApiError::spend_cap_exceeded(format!(
		"the job's max price {} would take this key past its spend cap of {} ({} spent, {} held \
		 for open jobs): lower the max price or ask for a higher cap",
		format_ait(max_price),
		format_ait(cap),
		format_ait(spent),
		format_ait(reserved)
	)))
}

/// Per-key token buckets: each holds up to the key's per-minute limit and refills
/// continuously at that rate.
#[derive(Default)]
pub struct RateLimiter {
	buckets: Mutex<HashMap<String, Bucket>>,
}

struct Bucket {
	tokens: f64,
	at: Instant,
}

impl RateLimiter {
	/// Takes one token from `name`'s bucket at `now`; when there is none, the seconds until
	/// there is one (rounded up, at least 1): the `Retry-After`.
	pub fn take(&self, name: &str, per_minute: u32, now: Instant) -> Result<(), u64> {
		let capacity = f64::from(per_minute.max(1));
		let per_sec = capacity / 60.0;
		let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
		let bucket =
			buckets.entry(name.to_string()).or_insert(Bucket { tokens: capacity, at: now });
		let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
		bucket.tokens = (bucket.tokens + elapsed * per_sec).min(capacity);
		bucket.at = now.max(bucket.at);
		if bucket.tokens >= 1.0 {
			bucket.tokens -= 1.0;
			return Ok(());
		}
		let wait = Duration::from_secs_f64((1.0 - bucket.tokens) / per_sec);
		Err(wait.as_secs().saturating_add(u64::from(wait.subsec_nanos() > 0)).max(1))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn keys_are_stored_as_hashes_and_found_by_the_key_until_revoked() {
		let dir = tempfile::tempdir().unwrap();
		let store = KeyStore::open(dir.path()).unwrap();
		let key = store.create("app", "app", "5Address", 60, Some(10)).unwrap();
		assert!(key.starts_with(KEY_PREFIX) && key.len() == KEY_PREFIX.len() + 64);
		let text = std::fs::read_to_string(dir.path().join("keys.json")).unwrap();
		assert!(!text.contains(&key[KEY_PREFIX.len()..]), "the key itself is never stored");
		assert!(text.contains(&hash_key(&key)));
		#[cfg(unix)]
		{
			use std::os::unix::fs::PermissionsExt;
			let mode = std::fs::metadata(dir.path().join("keys.json")).unwrap().permissions();
			assert_eq!(mode.mode() & 0o777, 0o600);
		}
		assert_eq!(store.authenticate(&key).unwrap().name, "app");
		assert_eq!(store.authenticate("aitbc_nope").unwrap_err().code, "invalid_api_key");
		assert!(store.create("app", "x", "y", 60, None).is_err(), "names are unique");
		assert!(store.create("../x", "x", "y", 60, None).is_err());

		// Another process (the admin command) revokes it: the server sees it at once.
		KeyStore::open(dir.path()).unwrap().revoke("app").unwrap();
		assert_eq!(store.authenticate(&key).unwrap_err().status.as_u16(), 401);
		assert!(store.list().unwrap()[0].revoked);
		assert!(store.revoke("missing").is_err());
	}

	#[test]
	fn reservations_open_jobs_and_settlement_follow_the_cap() {
		let dir = tempfile::tempdir().unwrap();
		let store = KeyStore::open(dir.path()).unwrap();
		store.create("app", "app", "5Address", 60, Some(100)).unwrap();
		store.reserve("app", 60).unwrap();
		assert_eq!(store.reserve("app", 50).unwrap_err().code, "spend_cap_exceeded");
		store.open_job("app", 7, 60).unwrap();
		store.reserve("app", 40).unwrap();
		store.release("app", 40);
		// Job 7 completes for 25: 75 of the cap are free again.
		store.settle("app", 7, 25).unwrap();
		store.settle("app", 7, 25).unwrap();
		let record = &KeyStore::open(dir.path()).unwrap().list().unwrap()[0];
		assert_eq!((record.spent, record.reserved()), (25, 0));
		store.reserve("app", 75).unwrap();
		assert!(store.reserve("app", 1).is_err());
	}

	#[test]
	fn opening_a_job_never_frees_its_amount_even_for_an_instant() {
		use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
		let dir = tempfile::tempdir().unwrap();
		let store = std::sync::Arc::new(KeyStore::open(dir.path()).unwrap());
		store.create("app", "app", "5Address", 60, Some(100)).unwrap();
		// Odd while 60 is held for certain (from the reservation to after the opening).
		let phase = std::sync::Arc::new(AtomicU64::new(0));
		let done = std::sync::Arc::new(AtomicBool::new(false));
		let prober = {
			let (store, phase, done) = (store.clone(), phase.clone(), done.clone());
			std::thread::spawn(move || {
				let mut overshoots = 0;
				while !done.load(SeqCst) {
					let before = phase.load(SeqCst);
					let passed = store.reserve("app", 50).is_ok();
					if passed {
						store.release("app", 50);
					}
					if passed && before % 2 == 1 && phase.load(SeqCst) == before {
						overshoots += 1;
					}
				}
				overshoots
			})
		};
		for job_id in 0..20 {
			while store.reserve("app", 60).is_err() {
				std::thread::yield_now();
			}
			phase.fetch_add(1, SeqCst);
			store.open_job("app", job_id, 60).unwrap();
			phase.fetch_add(1, SeqCst);
			store.settle("app", job_id, 0).unwrap();
		}
		done.store(true, SeqCst);
		// 60 held (pending, then open) all along: 50 more never fit under 100 meanwhile.
		assert_eq!(prober.join().unwrap(), 0);
	}

	#[test]
	fn a_job_whose_opening_cannot_be_written_stays_held_and_is_charged() {
		let dir = tempfile::tempdir().unwrap();
		let store = KeyStore::open(dir.path()).unwrap();
		store.create("app", "app", "5Address", 60, Some(100)).unwrap();
		store.reserve("app", 60).unwrap();
		// The temporary file cannot be created: the write fails.
		let blocker = dir.path().join(format!("keys.tmp{}", std::process::id()));
		std::fs::create_dir(&blocker).unwrap();
		assert!(store.open_job("app", 7, 60).is_err());
		assert_eq!(store.reserve("app", 50).unwrap_err().code, "spend_cap_exceeded");
		std::fs::remove_dir(&blocker).unwrap();
		store.settle("app", 7, 25).unwrap();
		store.settle("app", 7, 25).unwrap();
		let record = &store.list().unwrap()[0];
		assert_eq!((record.spent, record.reserved()), (25, 0));
		store.reserve("app", 75).unwrap();
		assert!(store.reserve("app", 1).is_err());
	}

	#[test]
	fn a_job_settled_at_its_max_price() {
		let dir = tempfile::tempdir().unwrap();
		let store = KeyStore::open(dir.path()).unwrap();
		store.create("app", "app", "5Address", 60, Some(100)).unwrap();
		store.reserve("app", 60).unwrap();
		store.open_job("app", 3, 60).unwrap();
		store.settle_at_max_price("app", 3).unwrap();
		store.settle_at_max_price("app", 3).unwrap();
		let record = &store.list().unwrap()[0];
		assert_eq!((record.spent, record.reserved()), (60, 0));
	}

	#[test]
	fn changes_from_several_processes_are_never_lost() {
		let dir = tempfile::tempdir().unwrap();
		KeyStore::open(dir.path()).unwrap();
		let writers: Vec<_> = (0..4)
			.map(|t| {
				let path = dir.path().to_path_buf();
				std::thread::spawn(move || {
					// Each its own store, as another process would have.
					let store = KeyStore::open(&path).unwrap();
					for i in 0..5 {
						store.create(&format!("k{t}_{i}"), "w", "5Address", 60, None).unwrap();
					}
				})
			})
			.collect();
		for writer in writers {
			writer.join().unwrap();
		}
		assert_eq!(KeyStore::open(dir.path()).unwrap().list().unwrap().len(), 20);
		assert!(dir.path().join("keys.json.lock").exists());
	}

	#[test]
	fn spend_cap_arithmetic() {
		assert!(check_spend(None, u128::MAX, u128::MAX, u128::MAX).is_ok());
		assert!(check_spend(Some(100), 30, 20, 50).is_ok());
		let error = check_spend(Some(100), 30, 20, 51).unwrap_err();
		assert_eq!((error.status.as_u16(), error.code), (402, "spend_cap_exceeded"));
		assert!(check_spend(Some(100), u128::MAX, 1, 1).is_err(), "no overflow");
		assert!(check_spend(Some(0), 0, 0, 0).is_ok());
	}

	#[test]
	fn the_bucket_holds_a_minute_and_says_when_to_retry() {
		let limiter = RateLimiter::default();
		let t0 = Instant::now();
		for _ in 0..3 {
			limiter.take("a", 3, t0).unwrap();
		}
		// Empty: one token every 20 s.
		assert_eq!(limiter.take("a", 3, t0), Err(20));
		assert_eq!(limiter.take("a", 3, t0 + Duration::from_millis(5_500)), Err(15));
		assert_eq!(limiter.take("a", 3, t0 + Duration::from_millis(19_999)), Err(1));
		limiter.take("a", 3, t0 + Duration::from_millis(20_001)).unwrap();
		// Other keys have their own bucket; a long pause refills to the capacity only.
		limiter.take("b", 3, t0).unwrap();
		let later = t0 + Duration::from_secs(3_600);
		for _ in 0..3 {
			limiter.take("a", 3, later).unwrap();
		}
		assert!(limiter.take("a", 3, later).is_err());
		// 120 per minute: half a second per token, rounded up to 1.
		let fast = RateLimiter::default();
		for _ in 0..120 {
			fast.take("f", 120, t0).unwrap();
		}
		assert_eq!(fast.take("f", 120, t0), Err(1));
	}
}
