//! What can go wrong talking to the chain, sorted into classes a caller can act on (the CLI maps
//! each class to its own exit code).

/// A client error. Every variant's text is one line saying what happened and what to do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
	/// The input is wrong; nothing was sent.
	#[error("{0}")]
	Usage(String),
	/// The thing asked for does not exist on chain.
	#[error("{0}")]
	NotFound(String),
	/// The chain refused the transaction (invalid, or its dispatch failed).
	#[error("rejected by the chain: {0}")]
	Rejected(String),
	/// No node could be reached (connecting failed on every try at every URL).
	#[error("{} (is `aitbc-node` running? set --url or AITBC_URL)", unreachable_text(tried))]
	Unreachable {
		/// Each URL tried, in order, with the reason its last try failed.
		tried: Vec<(String, String)>,
	},
	/// The connection to the node was lost after it was made: reconnect ([`crate::Chain::connect`])
	/// and try again.
	#[error("lost the connection to the node: {0} (reconnect and try again)")]
	Disconnected(String),
	/// Anything else from the node or the transport.
	#[error("{0}")]
	Rpc(String),
}

impl Error {
	/// A usage error.
	pub fn usage(message: impl Into<String>) -> Self {
		Error::Usage(message.into())
	}

	/// Whether the connection to the node is gone ([`Error::Unreachable`] or
	/// [`Error::Disconnected`]): the caller should reconnect.
	pub fn is_disconnected(&self) -> bool {
		matches!(self, Error::Unreachable { .. } | Error::Disconnected(_))
	}
}

impl From<subxt::rpcs::Error> for Error {
	fn from(e: subxt::rpcs::Error) -> Self {
		if is_disconnect(&e) {
			Error::Disconnected(e.to_string())
		} else {
			Error::Rpc(e.to_string())
		}
	}
}

/// Whether the RPC client failed because its connection is gone: subxt's reconnecting client
/// says it is reconnecting, or it gave up reconnecting (`Dropped`), or a plain websocket
/// client's background task ended (`RestartNeeded`) or its transport failed.
pub(crate) fn is_disconnect(e: &subxt::rpcs::Error) -> bool {
	use subxt::{
		ext::jsonrpsee::core::client::Error as Ws,
		rpcs::client::reconnecting_rpc_client::Error as Reconnecting,
	};
	match e {
		subxt::rpcs::Error::DisconnectedWillReconnect(_) => true,
		subxt::rpcs::Error::Client(inner) => {
			matches!(inner.downcast_ref::<Reconnecting>(), Some(Reconnecting::Dropped))
				|| matches!(
					inner.downcast_ref::<Ws>(),
					Some(Ws::RestartNeeded(_) | Ws::Transport(_) | Ws::ServiceDisconnect)
				)
		}
		_ => false,
	}
}

/// What [`Error::Unreachable`] says: the URL and the reason, or with several URLs each one
/// with its reason.
fn unreachable_text(tried: &[(String, String)]) -> String {
	match tried {
		[(url, reason)] => format!("cannot reach the node at {url}: {reason}"),
		_ => {
			let each: Vec<String> =
				tried.iter().map(|(url, reason)| format!("{url}: {reason}")).collect();
			format!("cannot reach any of the nodes at {}", each.join("; "))
		}
	}
}

/// Whether subxt's reconnecting client gave up reconnecting (`Dropped`): its connection is over
/// for good.
pub(crate) fn is_given_up(e: &subxt::rpcs::Error) -> bool {
	use subxt::rpcs::client::reconnecting_rpc_client::Error as Reconnecting;
	matches!(e, subxt::rpcs::Error::Client(inner)
		if matches!(inner.downcast_ref::<Reconnecting>(), Some(Reconnecting::Dropped)))
}

/// The text of a failed dispatch: `Pallet::Error: doc` for a pallet error.
pub fn dispatch_error_text(error: &subxt::error::DispatchError) -> String {
	if let subxt::error::DispatchError::Module(module) = error {
		if let Ok(details) = module.details() {
			let doc = details.variant.docs.join(" ");
			let doc = doc.trim();
			let name = format!("{}::{}", details.pallet.name(), details.variant.name);
			return if doc.is_empty() { name } else { format!("{name}: {doc}") };
		}
	}
	error.to_string()
}
