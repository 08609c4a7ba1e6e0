//! The one connection to the node the whole gateway shares: made (and made again, the next URL
//! first, when it is over for good) by a background task, which also follows the best blocks
//! with one subscription and wakes every waiter on each new block.

use std::{
	sync::{Arc, RwLock},
	time::Duration,
};

use aitbc_client::{Chain, Connect};
use tokio::sync::watch;

use crate::error::ApiError;

/// The shared connection.
#[derive(Clone)]
pub struct Node {
	inner: Arc<Inner>,
}

struct Inner {
	connect: Connect,
	current: RwLock<Option<Chain>>,
	/// Counts best blocks seen (wrapping): waiters wake on each change.
	blocks: watch::Sender<u64>,
}

impl Node {
	/// Not connected yet: [`Node::run`] connects.
	pub fn new(connect: Connect) -> Self {
		let (blocks, _) = watch::channel(0);
		Node { inner: Arc::new(Inner { connect, current: RwLock::new(None), blocks }) }
	}

	/// The first URL, for messages.
	pub fn url(&self) -> &str {
		self.inner.connect.urls().first().map(String::as_str).unwrap_or_default()
	}

	/// The connection, when it is up; else 503 `node_unavailable`.
	pub fn chain(&self) -> Result<Chain, ApiError> {
		let current = self.inner.current.read().unwrap_or_else(|e| e.into_inner());
		match current.as_ref() {
			Some(chain) if !chain.is_closed() && chain.is_connected() => Ok(chain.clone()),
			Some(chain) => Err(ApiError::node_unavailable(format!(
				"lost the connection to the node at {}; reconnecting: try again shortly",
				chain.url()
			))),
			None => Err(ApiError::node_unavailable(format!(
				"cannot reach the node at {}; retrying: try again shortly",
				self.url()
			))),
		}
	}

	/// A receiver that changes on every new best block.
	pub fn blocks(&self) -> watch::Receiver<u64> {
		self.inner.blocks.subscribe()
	}

	/// Connects, follows the best blocks, and reconnects when the connection is over; runs
	/// until the process ends.
	pub async fn run(self) {
		let mut connect = self.inner.connect.clone();
		loop {
			let chain = match Chain::connect(&connect).await {
				Ok(chain) => chain,
				Err(e) => {
					tracing::warn!(error = %e, "cannot connect to the node; retrying");
					tokio::time::sleep(Duration::from_secs(2)).await;
					continue;
				}
			};
			tracing::info!(url = chain.url(), "connected to the node");
			*self.inner.current.write().unwrap_or_else(|e| e.into_inner()) = Some(chain.clone());
			self.follow_blocks(&chain).await;
			tracing::warn!(url = chain.url(), "the connection to the node is over; reconnecting");
			*self.inner.current.write().unwrap_or_else(|e| e.into_inner()) = None;
			connect = connect.starting_after(chain.url());
		}
	}

	/// Wakes the waiters on every best block of `chain`, resubscribing after an error, until
	/// the connection is over for good.
	async fn follow_blocks(&self, chain: &Chain) {
		while !chain.is_closed() {
			match chain.api().stream_best_blocks().await {
				Ok(mut blocks) => {
					while let Some(item) = blocks.next().await {
						match item {
							Ok(_) => self.inner.blocks.send_modify(|n| *n = n.wrapping_add(1)),
							Err(e) => {
								tracing::debug!(error = %e, "the best-block subscription failed");
								break;
							}
						}
					}
				}
				Err(e) => tracing::debug!(error = %e, "cannot subscribe to the best blocks"),
			}
			tokio::time::sleep(Duration::from_secs(1)).await;
		}
	}
}
