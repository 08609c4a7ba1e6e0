//! Job records and their states.

pub use aitbc_primitives::{FailureReason, JobKind, JobStatus};
use aitbc_primitives::{ReceiptId, Usage};
use aitbc_traits::MinerTerms;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

/// Generation parameters, passed to the inference backend.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub struct InferenceParams {
	/// Sampling temperature in thousandths (700 = 0.7).
	pub temperature_milli: u32,
	/// Most tokens to generate.
	pub max_tokens: u32,
	/// Seed for reproducible sampling, if wanted.
	pub seed: Option<u64>,
}

/// Which deadline a miner missed.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum MissedDeadline {
	/// It did not acknowledge in time.
	Ack,
	/// It acknowledged but delivered no result in time.
	Result,
}

/// Where a job is in its life.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub enum JobState<AccountId, Reason> {
	/// Waiting for a miner that fits.
	Queued,
	/// Given to `operator`, waiting for its acknowledgement.
	Assigned { operator: AccountId },
	/// Acknowledged by `operator`, waiting for its result.
	Running { operator: AccountId },
	/// Done; the receipt is `receipt_id`.
	Completed { receipt_id: ReceiptId },
	/// Ended without a result; the client was refunded in full.
	Failed { reason: FailureReason<Reason> },
	/// Cancelled by the client; refunded in full.
	Cancelled,
	/// Its TTL passed before a result; refunded in full.
	Expired,
}

impl<AccountId, Reason> JobState<AccountId, Reason> {
	/// Whether the job has ended.
	pub fn is_final(&self) -> bool {
		matches!(
			self,
			JobState::Completed { .. }
				| JobState::Failed { .. }
				| JobState::Cancelled
				| JobState::Expired
		)
	}

	/// The operator holding the job, if one does.
	pub fn operator(&self) -> Option<&AccountId> {
		match self {
			JobState::Assigned { operator } | JobState::Running { operator } => Some(operator),
			_ => None,
		}
	}

	/// A short name of the state, as the runtime API filters by it.
	pub fn status(&self) -> JobStatus {
		match self {
			JobState::Queued => JobStatus::Queued,
			JobState::Assigned { .. } => JobStatus::Assigned,
			JobState::Running { .. } => JobStatus::Running,
			JobState::Completed { .. } => JobStatus::Completed,
			JobState::Failed { .. } => JobStatus::Failed,
			JobState::Cancelled => JobStatus::Cancelled,
			JobState::Expired => JobStatus::Expired,
		}
	}
}

/// An inference job.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Job<AccountId, Balance, BlockNumber, Model, Prompt, Output, Tried, Reason> {
	/// Who submitted and pays.
	pub client: AccountId,
	/// What is asked.
	pub kind: JobKind,
	/// The model id.
	pub model: Model,
	/// The prompt, UTF-8.
	pub prompt: Prompt,
	/// Generation parameters.
	pub params: InferenceParams,
	/// Most the client pays; held in escrow until the job ends.
	pub max_price: Balance,
	/// The storage deposit held from the client until the job is pruned.
	pub deposit: Balance,
	/// Least miner reputation accepted.
	pub min_reputation: Perbill,
	/// Block of submission.
	pub submitted_at: BlockNumber,
	/// The job ends (expired, refunded) at this block unless it is done before.
	pub expires_at: BlockNumber,
	/// Where it is.
	pub state: JobState<AccountId, Reason>,
	/// The block of its pending deadline (queue, ack or result timeout), while not final.
	pub deadline: BlockNumber,
	/// Operators it was given to, in order; none of them gets it again.
	pub tried: Tried,
	/// The terms of the operator holding it (fixed at assignment).
	pub terms: Option<MinerTerms<AccountId, Balance>>,
	/// The block it was last assigned in: GPU time billed never exceeds the blocks since, at
	/// the chain's block time (block numbers, which no block author can skew).
	pub assigned_at: BlockNumber,
	/// The result, once completed.
	pub output: Output,
	/// What it consumed, once completed.
	pub usage: Option<Usage>,
	/// Block it ended in.
	pub ended_at: Option<BlockNumber>,
}

/// One job in a batched submission ([`Pallet::submit_jobs`](crate::Pallet::submit_jobs)):
/// the arguments of `submit_job`.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct JobSpec<Model, Prompt, Balance, BlockNumber> {
	/// What kind of job.
	pub kind: JobKind,
	/// The model id.
	pub model: Model,
	/// The prompt (UTF-8).
	pub prompt: Prompt,
	/// Generation parameters.
	pub params: InferenceParams,
	/// The most the client pays; held in escrow.
	pub max_price: Balance,
	/// Blocks the job may live; the governed default when absent.
	pub ttl: Option<BlockNumber>,
	/// The least reputation a miner must have; zero when absent.
	pub min_reputation: Option<Perbill>,
}

/// One result in a batch: the output, the usage and the operator's signature over the receipt
/// payload.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct JobResult<Output> {
	/// The job.
	pub job_id: aitbc_primitives::JobId,
	/// The generated output (bounded UTF-8 bytes).
	pub output: Output,
	/// What it consumed, from the backend's own numbers.
	pub usage: Usage,
	/// sr25519 signature by the operator over the
	/// [`ReceiptPayload`](aitbc_primitives::ReceiptPayload).
	pub signature: [u8; 64],
}

pub use aitbc_traits::{SignatureVerifier, Sr25519Verifier};

/// A job id as a storage key that iterates in id order: big-endian, so that FRAME's
/// (lexicographic) prefix iteration under the `Identity` hasher walks the oldest job first.
/// Job ids are assigned by the chain in sequence, so the unhashed key cannot be steered.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct OldestFirst(pub aitbc_primitives::JobId);

/// A job id as a storage key that iterates newest job first (the big-endian complement).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct NewestFirst(pub aitbc_primitives::JobId);

/// The SCALE form of both orderings: eight bytes, big-endian, described as `[u8; 8]` in the
/// metadata (what they are on the wire).
macro_rules! ordered_job_key {
	($name:ident, $to:expr, $from:expr) => {
		impl Encode for $name {
			fn size_hint(&self) -> usize {
				8
			}
			fn encode_to<O: codec::Output + ?Sized>(&self, dest: &mut O) {
				let to: fn(u64) -> u64 = $to;
				dest.write(&to(self.0).to_be_bytes());
			}
		}
		impl codec::EncodeLike for $name {}
		impl Decode for $name {
			fn decode<I: codec::Input>(input: &mut I) -> Result<Self, codec::Error> {
				let from: fn(u64) -> u64 = $from;
				Ok(Self(from(u64::from_be_bytes(<[u8; 8]>::decode(input)?))))
			}
		}
		impl MaxEncodedLen for $name {
			fn max_encoded_len() -> usize {
				8
			}
		}
		impl TypeInfo for $name {
			type Identity = [u8; 8];
			fn type_info() -> scale_info::Type {
				<[u8; 8]>::type_info()
			}
		}
	};
}
ordered_job_key!(OldestFirst, |id| id, |key| key);
ordered_job_key!(NewestFirst, |id| !id, |key| !key);

/// A queued job as the queue sweep sees it: what selection needs, without reading the job.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct QueuedJob<Model, Balance> {
	/// The model id.
	pub model: Model,
	/// Most the client pays.
	pub max_price: Balance,
	/// Most output tokens.
	pub max_tokens: u32,
	/// Least reputation accepted.
	pub min_reputation: Perbill,
}

impl<Model, Balance: PartialOrd> QueuedJob<Model, Balance> {
	/// Whether every miner that could take `self` could also take `other` (same model): `other`
	/// offers no more, asks no fewer tokens and no less reputation. When selection found no
	/// miner for `self`, it finds none for `other`.
	pub fn no_harder_than(&self, other: &Self) -> bool {
		other.max_price <= self.max_price
			&& other.max_tokens >= self.max_tokens
			&& other.min_reputation >= self.min_reputation
	}
}
