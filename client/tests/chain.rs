//! [`Chain`] against a real dev node: the constants come from the connected chain, balances and
//! block numbers are read typed, and a request after the node is gone fails with the typed
//! [`Error::Disconnected`].

use std::time::{Duration, Instant};

use aitbc_client::{runtime, AccountId, Chain, Connect, Constants, Error};
use aitbc_e2e::harness::{wait_until, Node, TempDir};

#[tokio::test(flavor = "multi_thread")]
async fn chain_reads_the_connected_runtime_and_reports_a_lost_connection() {
	let dir = TempDir::new("client-chain");
	let mut node = Node::start(&["--dev", "--tmp"], dir.path());
	node.wait_ready(Duration::from_secs(60));
	wait_until(Duration::from_secs(60), "block 1", || node.best_number().ok().filter(|n| *n >= 1))
		.unwrap();
	let chain = Chain::connect(&Connect::new(node.ws_url())).await.unwrap();

	// The dev runtime is the one the committed metadata describes.
	assert_eq!(*chain.constants(), Constants::offline());
	let alice = subxt_signer::sr25519::dev::alice().public_key().to_account_id();
	assert_eq!(chain.address(&alice), Constants::offline().address(&alice));

	let (free, _reserved) = chain.account_info(&alice).await.unwrap();
	assert!(free > 0, "Alice is endowed in the dev genesis");
	assert_eq!(chain.account_info(&AccountId::from([7u8; 32])).await.unwrap(), (0, 0));

	let best = chain.best_number().await.unwrap();
	assert!(best >= 1);
	assert!(chain.finalized_number().await.unwrap() <= chain.best_number().await.unwrap());
	assert!(chain.is_connected());

	// The runtime API through subxt's static API, as docs/clients.md shows it.
	let at = chain.api().at_current_block().await.map_err(|e| chain.error(e)).unwrap();
	let quote = runtime::runtime_apis().marketplace_api().quote(b"no-such-model".to_vec(), 16);
	let quote = at.runtime_apis().call(quote).await.unwrap();
	assert_eq!((quote.available_miners, quote.min_price), (0, None));

	node.stop();
	let started = Instant::now();
	let error = loop {
		match chain.best_number().await {
			Err(error) => break error,
			Ok(_) if started.elapsed() < Duration::from_secs(30) => {
				tokio::time::sleep(Duration::from_millis(200)).await
			}
			Ok(_) => panic!("the node is gone, yet the client still reads blocks"),
		}
	};
	assert!(matches!(error, Error::Disconnected(_)), "{error:?}");
	assert!(error.is_disconnected());
	assert!(!chain.is_connected());
}

/// A daemon's connection ([`Connect::forever`]) is subxt's reconnecting RPC client: while the
/// node is down a call waits for the reconnection (or fails as [`Error::Disconnected`] when it
/// was in flight), and once the node is back the same [`Chain`] answers again, without
/// connecting anew.
#[tokio::test(flavor = "multi_thread")]
async fn a_daemon_connection_reconnects_by_itself() {
	let dir = TempDir::new("client-reconnect");
	let mut node = Node::start(&["--dev", "--tmp"], dir.path());
	node.wait_ready(Duration::from_secs(60));
	let (rpc_port, p2p_port) = (node.rpc_port, node.p2p_port);
	let chain = Chain::connect(&Connect::forever(node.ws_url())).await.unwrap();
	assert!(chain.best_number().await.is_ok());
	assert_eq!(chain.connection_losses(), 0);
	// A follower of best blocks, as the miner is: its subscription sees the loss.
	let mut blocks = chain.api().stream_best_blocks().await.unwrap();
	let follower = tokio::spawn(async move { while blocks.next().await.is_some() {} });

	node.stop();
	tokio::time::sleep(Duration::from_millis(500)).await;
	match tokio::time::timeout(Duration::from_secs(3), chain.best_number()).await {
		Err(_elapsed) => {}
		Ok(Err(error)) => assert!(error.is_disconnected(), "{error:?}"),
		Ok(Ok(best)) => panic!("the node is gone, yet the client read block {best}"),
	}

	let mut node = Node::start_on(&["--dev", "--tmp"], dir.path(), rpc_port, p2p_port);
	node.wait_ready(Duration::from_secs(60));
	let back = tokio::time::timeout(Duration::from_secs(60), async {
		loop {
			match chain.best_number().await {
				Ok(best) => return best,
				Err(e) if e.is_disconnected() => {
					tokio::time::sleep(Duration::from_millis(250)).await
				}
				Err(e) => panic!("the same connection did not come back: {e:?}"),
			}
		}
	})
	.await;
	assert!(back.is_ok(), "the same connection answers once the node is back");
	assert!(chain.is_connected());
	assert!(chain.connection_losses() >= 1, "the loss was counted");
	follower.abort();
	node.stop();
}
