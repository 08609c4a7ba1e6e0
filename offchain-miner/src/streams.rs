//! The live token stream of each job this miner runs, kept for the stream server
//! (`crate::stream_server`): per job, the client's account, the text generated so far and how
//! the generation ended, in a [`tokio::sync::watch`] channel so that every reader sees every
//! change, and a reader that joins late gets the text so far, then the rest.
//!
//! A job's stream is opened when the job starts generating ([`Streams::open`], which gives the
//! [`StreamWriter`] to the pipeline), fed piece by piece by the backend ([`StreamFeed`]) and
//! ended with the counts the chain will bill ([`StreamWriter::done`]) or the failure reason
//! ([`StreamWriter::fail`]); a writer dropped without either (the job was lost) ends it with an
//! error. The text is cut where the chain's `MaxOutputLen` cuts the output, so a stream's text
//! is the output the miner submits. Finished streams are kept [`KEEP_FINISHED`], at most
//! [`MAX_FINISHED`] of them (the oldest go first); running ones are bounded by the miner's
//! capacity.

use std::{
	collections::HashMap,
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};

use aitbc_client::{stream::StreamEvent, AccountId};
use aitbc_primitives::JobId;
use futures::{Stream, StreamExt};
use tokio::sync::{watch, Notify};

use crate::backend::truncate_utf8;

/// How long a finished stream stays readable.
pub const KEEP_FINISHED: Duration = Duration::from_secs(300);
/// The most finished streams kept.
pub const MAX_FINISHED: usize = 1024;

/// A job's stream as readers see it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StreamState {
	/// The text generated so far.
	pub text: String,
	/// How the generation ended, once it did.
	pub end: Option<StreamEnd>,
	/// Whether the text reached the chain's longest output: later pieces are dropped.
	full: bool,
	/// When it ended.
	ended_at: Option<Instant>,
}

/// How a job's generation ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamEnd {
	/// Generated; the counts the miner bills in its signed result.
	Done {
		/// Prompt tokens.
		prompt_tokens: u32,
		/// Output tokens.
		output_tokens: u32,
	},
	/// Failed; the reason the miner reports on chain.
	Error {
		/// Why.
		reason: String,
	},
}

impl StreamEnd {
	fn event(&self) -> StreamEvent {
		match self {
			StreamEnd::Done { prompt_tokens, output_tokens } => {
				StreamEvent::Done { prompt_tokens: *prompt_tokens, output_tokens: *output_tokens }
			}
			StreamEnd::Error { reason } => StreamEvent::Error { reason: reason.clone() },
		}
	}
}

struct Entry {
	client: AccountId,
	state: watch::Receiver<StreamState>,
}

/// Every job's stream on this miner.
pub struct Streams {
	jobs: Mutex<HashMap<JobId, Entry>>,
	/// Told when a stream opens (a reader may be waiting for it).
	opened: Notify,
	keep: Duration,
	max_finished: usize,
}

impl Default for Streams {
	fn default() -> Self {
		Streams::new(KEEP_FINISHED, MAX_FINISHED)
	}
}

impl Streams {
	/// Keeping finished streams for `keep`, at most `max_finished` of them.
	pub fn new(keep: Duration, max_finished: usize) -> Self {
		Streams { jobs: Mutex::default(), opened: Notify::new(), keep, max_finished }
	}

	/// Opens job `job_id`'s stream (anew, if it had one), readable by `client`, its text cut at
	/// `max_len` bytes (the chain's `MaxOutputLen`).
	pub fn open(&self, job_id: JobId, client: AccountId, max_len: usize) -> StreamWriter {
		let (sender, state) = watch::channel(StreamState::default());
		if let Ok(mut jobs) = self.jobs.lock() {
			self.prune(&mut jobs);
			jobs.insert(job_id, Entry { client, state });
		}
		self.opened.notify_waiters();
		StreamWriter { feed: StreamFeed { sender: Arc::new(sender), max_len } }
	}

	/// Job `job_id`'s client and stream, if this miner has it.
	pub fn get(&self, job_id: JobId) -> Option<(AccountId, watch::Receiver<StreamState>)> {
		let mut jobs = self.jobs.lock().ok()?;
		self.prune(&mut jobs);
		jobs.get(&job_id).map(|entry| (entry.client, entry.state.clone()))
	}

	/// [`Streams::get`], waiting up to `within` for the stream to open.
	pub async fn wait_for(
		&self,
		job_id: JobId,
		within: Duration,
	) -> Option<(AccountId, watch::Receiver<StreamState>)> {
		let deadline = tokio::time::Instant::now() + within;
		loop {
			let opened = self.opened.notified();
			tokio::pin!(opened);
			opened.as_mut().enable();
			if let Some(found) = self.get(job_id) {
				return Some(found);
			}
			tokio::time::timeout_at(deadline, opened).await.ok()?;
		}
	}

	/// How many streams are kept (running and finished).
	pub fn len(&self) -> usize {
		self.jobs.lock().map(|jobs| jobs.len()).unwrap_or(0)
	}

	/// Whether no stream is kept.
	pub fn is_empty(&self) -> bool {
		self.len() == 0
	}

	/// Drops the finished streams older than `keep`, then the oldest beyond `max_finished`.
	fn prune(&self, jobs: &mut HashMap<JobId, Entry>) {
		let now = Instant::now();
		let mut finished: Vec<(Instant, JobId)> = Vec::new();
		jobs.retain(|job_id, entry| match entry.state.borrow().ended_at {
			Some(at) if now.duration_since(at) >= self.keep => false,
			Some(at) => {
				finished.push((at, *job_id));
				true
			}
			None => true,
		});
		if finished.len() > self.max_finished {
			finished.sort_unstable();
			let extra = finished.len() - self.max_finished;
			for (_, job_id) in &finished[..extra] {
				jobs.remove(job_id);
			}
		}
	}
}

/// Feeds a job's stream with the backend's pieces (the generation task holds it).
#[derive(Clone)]
pub struct StreamFeed {
	sender: Arc<watch::Sender<StreamState>>,
	max_len: usize,
}

impl StreamFeed {
	/// Appends `piece` (up to the longest output the chain stores; nothing once the stream
	/// ended).
	pub fn push(&self, piece: &str) {
		self.sender.send_if_modified(|state| {
			if state.end.is_some() || state.full || piece.is_empty() {
				return false;
			}
			let room = self.max_len.saturating_sub(state.text.len());
			let fits = truncate_utf8(piece, room);
			state.full = fits.len() < piece.len();
			state.text.push_str(fits);
			!fits.is_empty()
		});
	}

	fn end(&self, end: StreamEnd) {
		self.sender.send_if_modified(|state| {
			if state.end.is_some() {
				return false;
			}
			state.end = Some(end);
			state.ended_at = Some(Instant::now());
			true
		});
	}
}

/// Ends a job's stream (the job's pipeline holds it); dropped without an end, it ends the
/// stream with an error.
pub struct StreamWriter {
	feed: StreamFeed,
}

impl StreamWriter {
	/// The feed for the backend's pieces.
	pub fn feed(&self) -> StreamFeed {
		self.feed.clone()
	}

	/// The generation is complete; the result bills these counts.
	pub fn done(self, prompt_tokens: u32, output_tokens: u32) {
		self.feed.end(StreamEnd::Done { prompt_tokens, output_tokens });
	}

	/// The generation failed with `reason` (the reason reported on chain).
	pub fn fail(self, reason: &str) {
		self.feed.end(StreamEnd::Error { reason: reason.to_string() });
	}
}

impl Drop for StreamWriter {
	fn drop(&mut self) {
		self.feed.end(StreamEnd::Error {
			reason: "the job ended on this miner without a result".into(),
		});
	}
}

/// The events of a stream for one reader: the text so far, then one `token` per change with
/// the text added since, and `done` or `error` last. It ends after that, or without an end if
/// the stream is dropped.
pub fn events(state: watch::Receiver<StreamState>) -> impl Stream<Item = StreamEvent> + Send {
	futures::stream::unfold(Some((state, 0usize)), |reader| async move {
		let (mut state, mut sent) = reader?;
		let mut closed = false;
		loop {
			let (events, ended) = {
				let now = state.borrow_and_update();
				let mut events = Vec::new();
				if now.text.len() > sent {
					events.push(StreamEvent::Token { text: now.text[sent..].to_string() });
					sent = now.text.len();
				}
				if let Some(end) = &now.end {
					events.push(end.event());
				}
				(events, now.end.is_some())
			};
			if !events.is_empty() {
				return Some((events, (!ended).then_some((state, sent))));
			}
			if closed {
				return None;
			}
			closed = state.changed().await.is_err();
		}
	})
	.flat_map(futures::stream::iter)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn alice() -> AccountId {
		AccountId::from([1u8; 32])
	}

	async fn all(streams: &Streams, job_id: JobId) -> Vec<StreamEvent> {
		let (_, state) = streams.get(job_id).unwrap();
		events(state).collect().await
	}

	#[tokio::test]
	async fn a_late_reader_gets_the_text_so_far_then_the_rest() {
		let streams = Streams::default();
		let writer = streams.open(7, alice(), 1000);
		let feed = writer.feed();
		feed.push("Hel");
		feed.push("lo");
		let (client, state) = streams.get(7).unwrap();
		assert_eq!(client, alice());
		let mut reader = Box::pin(events(state));
		assert_eq!(reader.next().await, Some(StreamEvent::Token { text: "Hello".into() }));
		feed.push(" world");
		assert_eq!(reader.next().await, Some(StreamEvent::Token { text: " world".into() }));
		writer.done(3, 2);
		feed.push("ignored after the end");
		assert_eq!(
			reader.next().await,
			Some(StreamEvent::Done { prompt_tokens: 3, output_tokens: 2 })
		);
		assert_eq!(reader.next().await, None);
		assert_eq!(
			all(&streams, 7).await,
			[
				StreamEvent::Token { text: "Hello world".into() },
				StreamEvent::Done { prompt_tokens: 3, output_tokens: 2 }
			],
			"a reader after the end gets everything"
		);
	}

	#[tokio::test]
	async fn a_failure_or_a_dropped_writer_ends_with_an_error() {
		let streams = Streams::default();
		let writer = streams.open(1, alice(), 1000);
		writer.feed().push("a");
		writer.fail("backend stopped mid-generation: boom");
		assert_eq!(
			all(&streams, 1).await,
			[
				StreamEvent::Token { text: "a".into() },
				StreamEvent::Error { reason: "backend stopped mid-generation: boom".into() }
			]
		);
		drop(streams.open(2, alice(), 1000));
		assert!(matches!(all(&streams, 2).await[..], [StreamEvent::Error { .. }]));
	}

	#[tokio::test]
	async fn the_text_stops_where_the_chain_cuts_the_output() {
		let streams = Streams::default();
		let writer = streams.open(1, alice(), 4);
		let feed = writer.feed();
		feed.push("ab");
		feed.push("cé");
		feed.push("d");
		writer.done(1, 3);
		assert_eq!(all(&streams, 1).await[0], StreamEvent::Token { text: "abc".into() });
	}

	#[tokio::test]
	async fn finished_streams_are_kept_for_a_while_and_a_bounded_number() {
		let streams = Streams::new(Duration::from_secs(3600), 2);
		for job_id in 1..=3 {
			streams.open(job_id, alice(), 10).done(0, 0);
		}
		let running = streams.open(4, alice(), 10);
		assert!(streams.get(1).is_none(), "the oldest finished went first");
		assert!(streams.get(2).is_some() && streams.get(3).is_some());
		assert!(streams.get(4).is_some(), "a running stream stays");
		assert_eq!(streams.len(), 3);
		drop(running);

		let streams = Streams::new(Duration::ZERO, 10);
		streams.open(1, alice(), 10).done(0, 0);
		let _running = streams.open(2, alice(), 10);
		assert!(streams.get(1).is_none(), "expired");
		assert!(streams.get(2).is_some());
	}

	#[tokio::test]
	async fn a_reader_may_wait_for_a_stream_to_open() {
		let streams = Arc::new(Streams::default());
		assert!(streams.wait_for(9, Duration::from_millis(20)).await.is_none());
		let waiting = {
			let streams = streams.clone();
			tokio::spawn(async move { streams.wait_for(9, Duration::from_secs(600)).await })
		};
		tokio::task::yield_now().await;
		let _writer = streams.open(9, alice(), 10);
		assert!(waiting.await.unwrap().is_some());
	}
}
