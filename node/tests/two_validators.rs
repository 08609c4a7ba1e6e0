//! Two validators, Alice and Bob, started from the committed `chain-specs/local-raw.json` with
//! separate base paths on loopback ports, peer with each other and finalize the same blocks.

mod common;

use std::{process::Command, time::Duration};

use common::{node_bin, repo_root, wait_until, Node, TempDir};
use serde_json::json;

/// A fixed ed25519 node key for Alice, so Bob can name her peer id as his bootnode.
const ALICE_NODE_KEY: &str = "0000000000000000000000000000000000000000000000000000000000000001";

/// The libp2p peer id of a node key, as `aitbc-node key inspect-node-key` prints it.
fn peer_id_of(node_key_hex: &str, dir: &std::path::Path) -> String {
	let key_file = dir.join("alice-node-key");
	std::fs::write(&key_file, node_key_hex).expect("write the node key");
	let out = Command::new(node_bin())
		.args(["key", "inspect-node-key", "--file"])
		.arg(&key_file)
		.output()
		.expect("run aitbc-node key inspect-node-key");
	assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
	String::from_utf8(out.stdout).expect("utf-8 peer id").trim().to_string()
}

#[test]
fn alice_and_bob_peer_and_finalize_the_same_block() {
	let dir = TempDir::new("two-validators");
	let spec = repo_root().join("chain-specs/local-raw.json");
	let spec = spec.to_str().expect("utf-8 path");
	let alice_base = dir.0.join("alice");
	let bob_base = dir.0.join("bob");

	let mut alice = Node::start(
		&[
			"--chain",
			spec,
			"--alice",
			"--validator",
			"--base-path",
			alice_base.to_str().expect("utf-8 path"),
			"--node-key",
			ALICE_NODE_KEY,
		],
		&alice_base,
	);
	let alice_peer_id = peer_id_of(ALICE_NODE_KEY, &dir.0);
	let bootnode = format!("/ip4/127.0.0.1/tcp/{}/p2p/{alice_peer_id}", alice.p2p_port);
	let mut bob = Node::start(
		&[
			"--chain",
			spec,
			"--bob",
			"--validator",
			"--base-path",
			bob_base.to_str().expect("utf-8 path"),
			"--node-key",
			"0000000000000000000000000000000000000000000000000000000000000002",
			"--bootnodes",
			&bootnode,
		],
		&bob_base,
	);
	alice.wait_ready(Duration::from_secs(60));
	bob.wait_ready(Duration::from_secs(60));
	let logs = || format!("{}\n{}", alice.log_tail(), bob.log_tail());

	for node in [&alice, &bob] {
		assert_eq!(
			node.rpc("system_chain", json!([])).expect("system_chain"),
			"AITBC Local Testnet"
		);
		wait_until(Duration::from_secs(60), "a peer", || {
			let health = node.rpc("system_health", json!([])).ok()?;
			(health["peers"].as_u64()? >= 1).then_some(())
		})
		.unwrap_or_else(|e| panic!("{e}\n{}", logs()));
	}

	// With two authorities GRANDPA needs both votes: finality past block 3 on both nodes
	// means they voted together.
	let target = 3;
	for node in [&alice, &bob] {
		wait_until(Duration::from_secs(90), "finality past block 3", || {
			node.finalized_number().ok().filter(|n| *n >= target)
		})
		.unwrap_or_else(|e| panic!("{e}\n{}", logs()));
	}
	let hash_at = |node: &Node| node.rpc("chain_getBlockHash", json!([target])).expect("hash");
	assert_eq!(hash_at(&alice), hash_at(&bob), "the nodes finalized different blocks");
	assert!(hash_at(&alice).is_string());
}
