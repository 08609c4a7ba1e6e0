//! Why the daemon stops ([`RunError`]) and why one connection's session ends
//! ([`SessionError`]), typed so that a lost connection is told apart from any other failure
//! without reading error texts.

use aitbc_client::subxt;

/// Why the daemon stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
	/// The operator key has no miner on chain.
	#[error("{0}")]
	NotRegistered(String),
	/// The backend is unusable at start.
	#[error("{0}")]
	Backend(String),
	/// The node or the metrics port.
	#[error("{0}")]
	Chain(String),
}

impl RunError {
	/// The process exit code: 3 not registered, 4 backend, 5 chain (2 is bad settings).
	pub fn exit_code(&self) -> u8 {
		match self {
			RunError::NotRegistered(_) => 3,
			RunError::Backend(_) => 4,
			RunError::Chain(_) => 5,
		}
	}
}

/// Why a session (one connection's block loop) ended.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
	/// A read or a transaction through the chain client failed.
	#[error(transparent)]
	Chain(#[from] aitbc_client::Error),
	/// Following best blocks or reading their events failed.
	#[error("{0}")]
	Blocks(#[from] subxt::Error),
	/// The node closed the best-block stream.
	#[error("the block stream ended")]
	StreamEnded,
	/// The chain client lost the node and reconnected by itself (the block stream went on
	/// after a gap): start over, reading held jobs again.
	#[error("the connection to the node was lost and restored")]
	Reconnected,
}

impl SessionError {
	/// Whether the connection to the node was lost: the RPC client is reconnecting and the
	/// next session starts once the node answers again.
	pub fn is_disconnected(&self) -> bool {
		match self {
			SessionError::Chain(e) => e.is_disconnected(),
			SessionError::Blocks(e) => e.is_disconnected_will_reconnect(),
			SessionError::StreamEnded | SessionError::Reconnected => true,
		}
	}
}
